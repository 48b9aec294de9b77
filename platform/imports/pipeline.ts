// Import batches in flight: while one batch is written the next is read, parsed and launched,
// up to maxInFlight at once. Each batch commits only after the one before it (`after`), so the
// resume point and the counts grow in order; a batch sharing an upsert key with one in flight
// waits for it (its match must see what the other wrote); and each is told the rows of the
// batches before it that may not have committed yet (`earlier`, for hooks that run concurrently).
import type { EarlierRow, ImportBatchOptions } from '../records/index.ts';

export type PipelineLinks = Pick<ImportBatchOptions, 'earlier' | 'onHooked'>;

export interface BatchPipeline<B> {
  /** Starts writing a batch (after waiting for any batch in flight that shares an upsert key). */
  launch(batch: B): Promise<void>;
  /** Waits until at most `keep` batches are in flight; throws the first failure met. */
  drain(keep: number): Promise<void>;
  /** Waits for every batch in flight, whatever becomes of them (after a failure). */
  settle(): Promise<void>;
}

export function batchPipeline<B>(opts: {
  maxInFlight: number;
  /** A batch's upsert keys, when batches in flight must not share one. */
  keysOf?: (batch: B) => Set<string>;
  /** Writes a batch, committing only once `after` (the batch before) has; `links` for concurrent hooks. */
  flush: (batch: B, after: Promise<void>, links: PipelineLinks) => Promise<void>;
}): BatchPipeline<B> {
  const inFlight: Promise<void>[] = [];
  const inFlightKeys: Set<string>[] = [];
  // The rows of the batches that may still be in flight, each known once its hooks have run.
  const recentHooked: Promise<EarlierRow[]>[] = [];
  let last: Promise<void> = Promise.resolve();

  async function drain(keep: number): Promise<void> {
    while (inFlight.length > keep) {
      inFlightKeys.shift();
      await inFlight.shift();
    }
  }

  async function launch(batch: B): Promise<void> {
    const keys = opts.keysOf?.(batch) ?? new Set<string>();
    if (keys.size && inFlightKeys.some((other) => [...keys].some((k) => other.has(k)))) await drain(0);
    let hooked!: (rows: EarlierRow[]) => void;
    const mine = new Promise<EarlierRow[]>((resolve) => (hooked = resolve));
    // Rows of a batch that committed meanwhile are found by queries too (with the same ids).
    const earlier = Promise.all(recentHooked).then((lists) => lists.flat());
    // A batch that fails before its hooks ran lets the next go on (which then fails too, on `after`).
    last = opts.flush(batch, last, opts.maxInFlight > 1 ? { earlier, onHooked: hooked } : {}).finally(() => hooked([]));
    recentHooked.push(mine);
    if (recentHooked.length > opts.maxInFlight - 1) void recentHooked.shift(); // (it only resolves)
    last.catch(() => {}); // awaited through inFlight and by the next batch; this only keeps it from being "unhandled" meanwhile
    inFlight.push(last);
    inFlightKeys.push(keys);
  }

  const settle = async () => void (await Promise.allSettled(inFlight));
  return { launch, drain, settle };
}
