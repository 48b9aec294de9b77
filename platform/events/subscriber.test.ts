import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import {
  createSubscriber,
  endBackoff,
  moveSubscription,
  subscribe,
  subscriptionState,
  unsubscribe,
  type SubscriptionTurn,
} from './subscriber.ts';
import type { OutboxEvent } from './outbox.ts';

describe.each(databases)('outbox subscriptions on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => {
    await k?.close();
  });

  const createContact = async (last_name: string) => (await k.call('POST', '/api/records/contact', { last_name })).body.id as string;

  /** Every contact event a subscription's turns hand over until there are none (old transactions of other tests settle first). */
  async function readAll(name: string, want: number, handle: (e: OutboxEvent, t: SubscriptionTurn) => void = () => {}) {
    const subscriber = createSubscriber(k.db, { batch: 2 });
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          while (
            await subscriber.turn(name, async (t) => {
              const { events, end } = await t.read(['contact']);
              for (const e of events) {
                handle(e, t);
                seen.push(e.record_id);
                t.reached(e);
              }
              t.reached(end);
              return events.length === 2;
            })
          );
          return seen.length;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(want);
    return seen;
  }

  it('starts after what was committed before it, reads in order in pages, and resumes where it stopped', async () => {
    await createContact('前');
    await subscribe(k.db, 'test:order');
    await subscribe(k.db, 'test:order'); // a second subscribe keeps the cursor
    const ids = [await createContact('一'), await createContact('二'), await createContact('三')];
    expect(await readAll('test:order', 3)).toEqual(ids);
    const later = await createContact('四');
    expect(await readAll('test:order', 1)).toEqual([later]);
    await unsubscribe(k.db, 'test:order');
    expect(await subscriptionState(k.db, 'test:order')).toBeUndefined();
  });

  it('lets one node at a time read a subscription: a turn holds the lease', async () => {
    await subscribe(k.db, 'test:lease');
    const a = createSubscriber(k.db);
    const b = createSubscriber(k.db);
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let leave!: () => void;
    const left = new Promise<void>((r) => (leave = r));
    const first = a.turn('test:lease', async () => {
      inside();
      await left;
      return false;
    });
    await entered;
    let ran = false;
    expect(await b.turn('test:lease', async () => ((ran = true), false))).toBe(false);
    expect(ran).toBe(false);
    leave();
    await first;
    await b.turn('test:lease', async () => ((ran = true), false));
    expect(ran).toBe(true);
  });

  it('keeps a failing reader at the event it failed on, backs off, and retries from there once the backoff ends', async () => {
    await subscribe(k.db, 'test:fail');
    const ok = await createContact('成功');
    const bad = await createContact('失敗');
    const after = await createContact('その後');
    const subscriber = createSubscriber(k.db);
    const failOn = (id: string) => async (t: SubscriptionTurn) => {
      const { events } = await t.read(['contact']);
      for (const e of events) {
        if (e.record_id === id) throw new Error(`boom on ${id}`);
        t.reached(e);
      }
      return false;
    };
    // Until all three are settled and read, the turn may stop short of the bad one: poll.
    await expect
      .poll(
        async () => {
          await subscriber.turn('test:fail', failOn(bad)).catch(() => {});
          return (await subscriptionState(k.db, 'test:fail'))?.failures;
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    const failing = (await subscriptionState(k.db, 'test:fail'))!;
    expect(failing.last_error).toBe(`boom on ${bad}`);
    expect(failing.retry_at).not.toBeNull();
    // Backing off: no turn runs.
    let ran = false;
    expect(await subscriber.turn('test:fail', async () => ((ran = true), false))).toBe(false);
    expect(ran).toBe(false);
    // The retry starts at the failed event: what was handled before it is not handed over again.
    expect(await endBackoff(k.db, 'test:fail')).toBe(true);
    const again: string[] = [];
    await subscriber.turn('test:fail', async (t) => {
      const { events } = await t.read(['contact']);
      again.push(...events.map((e) => e.record_id));
      return false;
    });
    expect(again).toEqual([bad, after]);
    expect(again).not.toContain(ok);
    expect(await endBackoff(k.db, 'test:none')).toBe(false);
  });

  it('moves a cursor past an event only from where it is and while no turn holds it', async () => {
    await subscribe(k.db, 'test:move');
    const from = (await subscriptionState(k.db, 'test:move'))!;
    const to = { xid: from.xid, id: String(BigInt(from.id) + 1n) };
    expect(await moveSubscription(k.db, 'test:move', { xid: from.xid, id: '0' }, to)).toBe(false);
    const subscriber = createSubscriber(k.db);
    let moved: boolean | undefined;
    await subscriber.turn('test:move', async () => {
      moved = await moveSubscription(k.db, 'test:move', from, to);
      return false;
    });
    expect(moved).toBe(false);
    expect(await moveSubscription(k.db, 'test:move', from, to)).toBe(true);
    expect((await subscriptionState(k.db, 'test:move'))!.id).toBe(to.id);
  });

  it('is where the plugin and workflow cursors went (one table for every reader)', async () => {
    const names = (await k.db.query<{ name: string }>(sql`select name from kizuna_subscriptions order by name`)).map((r) => r.name);
    expect(names).toContain('workflows');
  });
});
