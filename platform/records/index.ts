export { createRecordService, type RecordService, type RecordRow, type Actor } from './service.ts';
export { parseUpsertOn, MAX_BULK, type BulkInput, type BulkResult } from './bulk.ts';
export type { TimelineEntry } from './timeline.ts';

export {
  assertOverride,
  runBeforeHooks,
  type BatchOutcome,
  type BatchRow,
  type BeforeBatchHookArgs,
  type BeforeHook,
  type BeforeHookArgs,
  type HookEvent,
  type RecordHooks,
} from './hooks.ts';
export type { RecordServiceDeps } from './service.ts';
export { importKeyOf } from './import-batch.ts';
export type { ImportRow, ImportBatchResult, ImportBatchOptions, EarlierRow, RowAction } from './import-batch-run.ts';
