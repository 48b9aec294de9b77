export { createRecordService, parseUpsertOn, MAX_BULK, type RecordService, type RecordRow, type Actor, type BulkInput, type BulkResult } from './service.ts';
export type { TimelineEntry } from './timeline.ts';

export { runBeforeHooks, type BeforeHook, type BeforeHookArgs, type HookEvent, type RecordHooks } from './hooks.ts';
export type { RecordServiceDeps } from './service.ts';
export { importKeyOf, type ImportRow, type ImportBatchResult, type ImportBatchOptions, type RowAction } from './import-batch.ts';
