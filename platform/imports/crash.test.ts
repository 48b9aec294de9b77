// Restart safety with a real crash: a server process is killed with SIGKILL in the middle of
// an import; a new process on the same data takes the job over and finishes it, and every
// row is written exactly once (records, history rows and outbox events).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, sql, type Database } from '../db/index.ts';
import { databases } from '../testing/kizuna.ts';

const root = resolve(import.meta.dirname, '../..');
const TOKEN = 'kz_test_crash_token_0123456789';
const ROWS = 12_000;

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/testing/crash-server.ts'], {
    cwd: root,
    env: { ...process.env, KZ_TOKEN: TOKEN, KZ_BATCH: '500', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  const ready = async (): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      const m = /ready (\d+)/.exec(out);
      if (m) return `http://127.0.0.1:${m[1]}`;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not start:\n${out}`);
  };
  return { child, ready, exited, output: () => out };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const status = async (base: string, id: string) =>
  (await (await fetch(`${base}/api/imports/${id}`, { headers: auth })).json()) as Record<string, any>;

describe.each(databases)('an import killed with SIGKILL on %s', (kind) => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const f of cleanups) await f();
  });

  it('resumes in a new process and writes every row exactly once', async () => {
    let env: Record<string, string>;
    let open: () => Promise<Database>;
    if (kind === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'kizuna-crash-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env = { KZ_DATA_DIR: dir, KZ_DATABASE_URL: '' };
      open = () => createDatabase({ dataDir: dir });
    } else {
      const schema = `kz_test_crash_${randomBytes(4).toString('hex')}`;
      const url = process.env.DATABASE_URL!;
      cleanups.push(async () => {
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
      });
      env = { KZ_DATABASE_URL: url, KZ_SCHEMA: schema };
      open = () => createDatabase({ url, schema, max: 1 });
    }

    const a = startServer(env);
    children.push(a.child);
    let base = await a.ready();
    const csv = `姓,名,メールアドレス\n${Array.from({ length: ROWS }, (_, i) => `${i % 2 ? '山田' : 'Smith'},N${i},crash${i}@example.jp`).join('\n')}\n`;
    const up = await fetch(`${base}/api/imports?object=contact&filename=crash.csv`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(up.status).toBe(201);
    const { id, suggested_mapping } = (await up.json()) as { id: string; suggested_mapping: unknown };
    const started = await fetch(`${base}/api/imports/${id}/start`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'partial', mapping: suggested_mapping }),
    });
    expect(started.status).toBe(202);
    // Kill it once some batches are committed and before the end.
    let before = await status(base, id);
    while (before.created < 2000) {
      expect(before.state).not.toBe('succeeded');
      await new Promise((r) => setTimeout(r, 20));
      before = await status(base, id).catch((e) => {
        throw new Error(`${e}: ${a.output()}`);
      });
    }
    a.child.kill('SIGKILL');
    await a.exited;
    expect(before.created).toBeLessThan(ROWS);

    const b = startServer(env);
    children.push(b.child);
    base = await b.ready();
    let s = await status(base, id);
    for (
      const until = Date.now() + 240_000;
      !['succeeded', 'failed', 'cancelled'].includes(s.state) && Date.now() < until;
      s = await status(base, id)
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(s).toMatchObject({ state: 'succeeded', created: ROWS, rows_read: ROWS, rows_failed: 0 });
    b.child.kill('SIGTERM');
    await b.exited;

    const db = await open();
    try {
      const [r] = await db.query<{
        n: number;
        d: number;
        h: number;
        e: number;
      }>(sql`select count(*)::int as n, count(distinct email)::int as d,
        (select count(*)::int from kizuna_history where request_id = ${`import:${id}`}) as h,
        (select count(*)::int from kizuna_events e where e.topic = 'record.created' and e.record_id in (select id from contact)) as e
        from contact`);
      expect(r).toEqual({ n: ROWS, d: ROWS, h: ROWS, e: ROWS });
    } finally {
      await db.close();
    }
  }, 300_000);
});
