export { createJobQueue, LostClaim, type Job, type JobContext, type JobHandler, type JobQueue, type JobQueueOptions, type JobState } from './queue.ts';
export { ensureJobTables } from './tables.ts';
