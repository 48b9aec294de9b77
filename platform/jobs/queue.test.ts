import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { createJobQueue, LostClaim } from './queue.ts';

describe.each(databases)('the job queue on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('gives a job whose lease ran out to another worker, and fences the first out of its checkpoints', async () => {
    // The first worker takes the job and hangs (a process that stopped answering); its lease
    // is long, so its heartbeat does not beat during the test, and is made to run out by hand.
    const first = createJobQueue({ db: k.db, pollMs: 60_000, staleMs: 60_000 });
    const second = createJobQueue({ db: k.db, pollMs: 60_000, staleMs: 60_000 });
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    let firstCheckpoint: unknown;
    let taken!: () => void;
    const tookIt = new Promise<void>((r) => (taken = r));
    first.register('test.hang', async (_job, ctx) => {
      taken();
      await hung;
      firstCheckpoint = await k.db.transaction((tx) => ctx.checkpoint(tx, { step: 'late' })).catch((e) => e);
      return 'released';
    });
    let secondRan = 0;
    second.register('test.hang', async (job, ctx) => {
      secondRan++;
      await k.db.transaction((tx) => ctx.checkpoint(tx, { step: 'second' }));
      return { state: 'succeeded', result: { attempts: job.attempts } };
    });
    first.start();
    const id = await first.enqueue('test.hang', {});
    await tookIt;
    await k.db.query(sql`update kizuna_jobs set lease_until = now() - interval '1 second' where id = ${id}::uuid`);
    second.start();
    await expect.poll(async () => (await second.get(id))?.state, { timeout: 10_000 }).toBe('succeeded');
    expect(secondRan).toBe(1);
    expect((await second.get(id))?.result).toEqual({ attempts: 2 });
    release();
    await first.stop();
    expect(firstCheckpoint).toBeInstanceOf(LostClaim);
    expect((await second.get(id))?.state).toBe('succeeded'); // the late "released" changed nothing
    await second.stop();
  });

  it('runs what was queued before it started, in order, and drains', async () => {
    const q = createJobQueue({ db: k.db, pollMs: 60_000 });
    const order: number[] = [];
    q.register<{ n: number }, Record<string, never>>('test.order', async (job) => {
      order.push(job.payload.n);
      return { state: 'succeeded' };
    });
    for (const n of [1, 2, 3]) await q.enqueue('test.order', { n });
    q.start();
    await q.drain();
    expect(order).toEqual([1, 2, 3]);
    await q.stop();
  });
});
