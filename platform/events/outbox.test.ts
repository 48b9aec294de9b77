import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Transaction } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { onOutboxCommit } from './announce.ts';
import { outboxHead, readRecordEvents, readRecordEventsOf, type OutboxCursor } from './outbox.ts';

const insertEvent = (tx: Transaction, name: string) =>
  tx.query(
    sql`insert into kizuna_events (topic, object, record_id, payload) values ('record.created', 'contact', gen_random_uuid(), ${JSON.stringify({ version: 1, name })}::jsonb)`,
  );

/** Opens a transaction and keeps it open until `release` is called. */
function heldTransaction(k: TestKizuna, work: (tx: Transaction) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const done = k.db.transaction(async (tx) => {
    await work(tx);
    ready();
    await released;
  });
  return { started, release: () => (release(), done) };
}

describe.each(databases)('outbox on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('reads only the objects a reader asks for, and moves its cursor past the others', async () => {
    const head = await outboxHead(k.db);
    await k.call('POST', '/api/records/contact', { last_name: '読まない' });
    const company = (await k.call('POST', '/api/records/company', { name: '読む株式会社' })).body;
    await k.call('POST', '/api/records/contact', { last_name: 'これも読まない' });
    await expect.poll(async () => (await readRecordEvents(k.db, head, 10)).length, { timeout: 10_000 }).toBe(3);
    const all = await readRecordEvents(k.db, head, 10);
    const some = await readRecordEventsOf(k.db, head, 10, ['company']);
    expect(some.events.map((e) => e.record_id)).toEqual([company.id]);
    expect(some.end).toEqual({ xid: all[2].xid, id: all[2].id }); // past the last contact too
    const none = await readRecordEventsOf(k.db, head, 10, []);
    expect(none).toEqual({ events: [], end: { xid: all[2].xid, id: all[2].id } });
    // A full page ends at its last event, so what follows is read next time.
    const page = await readRecordEventsOf(k.db, head, 1, ['contact', 'company']);
    expect(page.end).toEqual({ xid: all[0].xid, id: all[0].id });
    expect((await readRecordEventsOf(k.db, some.end, 10, ['company'])).events).toEqual([]);
  });

  it('reads committed record events after a cursor, in (xid, id) order, and wakes listeners on commit', async () => {
    const head = await outboxHead(k.db);
    let woken = 0;
    const off = await onOutboxCommit(k.db, () => woken++);
    try {
      await k.call('POST', '/api/records/contact', { last_name: '起床' });
      // Other test files' transactions in this database may hold the horizon for a moment.
      await expect.poll(async () => (await readRecordEvents(k.db, head, 10)).length, { timeout: 10_000 }).toBe(1);
      const events = await readRecordEvents(k.db, head, 10);
      expect(events.map((e) => [e.topic, e.object, e.version])).toEqual([['record.created', 'contact', 1]]);
      expect(events[0].changes).toMatchObject({ last_name: '起床' });
      expect(await readRecordEvents(k.db, events[0], 10)).toEqual([]);
      await expect.poll(() => woken, { timeout: 2000 }).toBeGreaterThan(0);
    } finally {
      await off();
    }
  });

  // Other nodes hear of commits by NOTIFY; PGlite has one node.
  it.skipIf(kind !== 'postgres')(
    'tells other nodes of commits with one NOTIFY per window, sent outside the writing transactions',
    async () => {
      const [trigger] = await k.db.query<{ n: number }>(
        sql`select count(*)::int as n from pg_trigger where tgrelid = 'kizuna_events'::regclass and not tgisinternal`,
      );
      expect(trigger.n).toBe(0);
      const other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      let heard = 0;
      try {
        await other.listen('kizuna_events', (schema) => void (schema === k.schema && heard++));
        const commits = 40;
        await Promise.all(Array.from({ length: commits }, (_, i) => k.db.transaction((tx) => insertEvent(tx, `n${i}`))));
        await expect.poll(() => heard, { timeout: 5000 }).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 200));
        // Forty commits at once were announced in far fewer notifications.
        expect(heard).toBeLessThan(commits / 2);
      } finally {
        await other.end();
      }
    },
  );

  // Only PostgreSQL runs two transactions at once.
  it.skipIf(kind !== 'postgres')('never skips an event whose transaction commits after a later id was read', async () => {
    let cursor: OutboxCursor = await outboxHead(k.db);
    // The first transaction takes the lower id and stays open; the second commits a higher id.
    const early = heldTransaction(k, (tx) => insertEvent(tx, 'early'));
    await early.started;
    await k.db.transaction((tx) => insertEvent(tx, 'late'));

    const before = await readRecordEvents(k.db, cursor, 10);
    // Reading ids alone would return 'late' and move past 'early' for good.
    expect(before).toEqual([]);

    await early.release();
    await expect.poll(async () => (await readRecordEvents(k.db, cursor, 10)).length, { timeout: 10_000 }).toBe(2);
    const after = await readRecordEvents(k.db, cursor, 10);
    const names = await Promise.all(
      after.map(
        async (e) =>
          (await k.db.query<{ n: string }>(sql`select payload->>'name' as n from kizuna_events where id = ${e.id}::bigint`))[0].n,
      ),
    );
    expect(names).toEqual(['early', 'late']);
    cursor = after[1];
    expect(await readRecordEvents(k.db, cursor, 10)).toEqual([]);
  });

  it.skipIf(kind !== 'postgres')('is not held back by a long transaction in another database', async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = '/postgres';
    const other = postgres(url.toString(), { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const elsewhere = other.begin(async (tx) => {
      await tx`select pg_current_xact_id()`; // holds an xid, so it holds the server's xmin back
      started();
      await held;
    });
    try {
      await running;
      const head = await outboxHead(k.db);
      await k.call('POST', '/api/records/contact', { last_name: '他所' });
      await expect
        .poll(async () => (await readRecordEvents(k.db, head, 10)).map((e) => e.changes?.last_name), { timeout: 10_000 })
        .toEqual(['他所']);
    } finally {
      release();
      await elsewhere;
      await other.end();
    }
  });

  it('rolled-back events are never read', async () => {
    const head = await outboxHead(k.db);
    await k.db
      .transaction(async (tx) => {
        await insertEvent(tx, 'doomed');
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await readRecordEvents(k.db, head, 10)).toEqual([]);
  });
});
