export { createRecordService, MAX_BULK, type RecordService, type RecordRow, type Actor, type BulkInput, type BulkResult, type TimelineEntry } from './service.ts';

