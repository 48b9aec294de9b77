// `DATABASE_URL=… npx tsx bench/notify.ts [creates] [writers]`: commit rate of concurrent
// writers creating contacts through the records API on PostgreSQL, with the outbox announced as
// it is now (events/announce.ts: no NOTIFY in the writing transaction, one per 10 ms window
// after commit) against the earlier per-statement trigger that notified inside every write
// (re-created for the baseline runs). Runs alternate, so the machine's load hits both alike.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from '../platform/db/index.ts';
import { startKizuna } from '../platform/testing/kizuna.ts';

const CREATES = Number(process.argv[2] ?? 3000);
const WRITERS = Number(process.argv[3] ?? 8);
const k = await startKizuna('postgres', { schema: `kz_notify_${randomBytes(4).toString('hex')}`, max: WRITERS + 2 });
await k.workflows.stop();

const trigger = {
  async on() {
    await k.db.query(
      sql.raw(`create or replace function kizuna_events_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('kizuna_events', current_schema()); return null; end $$`),
    );
    await k.db.query(
      sql.raw(
        `create trigger kizuna_events_notify after insert on kizuna_events for each statement execute function kizuna_events_notify()`,
      ),
    );
  },
  async off() {
    await k.db.query(sql.raw(`drop trigger if exists kizuna_events_notify on kizuna_events`));
  },
};

async function run(): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < CREATES) {
        const i = next++;
        const r = await k.call('POST', '/api/records/contact', { last_name: `通知${i}`, first_name: '太郎', email: `n${i}@example.jp` });
        if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      }
    }),
  );
  return CREATES / ((performance.now() - started) / 1000);
}

const rows: string[] = [];
for (const round of [1, 2, 3]) {
  for (const mode of ['trigger (before)', 'announced (now)'] as const) {
    await (mode.startsWith('trigger') ? trigger.on() : trigger.off());
    const load = loadavg()[0].toFixed(1);
    const rate = await run();
    rows.push(`| ${round} | ${mode} | ${Math.round(rate)} | ${load} |`);
    console.log(rows.at(-1));
  }
}
console.log(
  `\n${WRITERS} writers, ${CREATES} creates a run\n| round | NOTIFY | creates/s | load |\n|---|---|---:|---|\n${rows.join('\n')}`,
);
await k.close();
process.exit(0);
