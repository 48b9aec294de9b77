export {
  createJobQueue,
  LostClaim,
  type Job,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type JobQueueOptions,
  type JobState,
} from './queue.ts';
export { ensureJobTables, JOBS_LOCK } from './tables.ts';
export { createLoop, type Loop, type LoopOptions } from './loop.ts';
