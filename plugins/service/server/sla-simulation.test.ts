// The check, on PostgreSQL (two processes cannot share a PGlite folder): two Kizuna
// server processes on one database, cases falling due over three minutes with pauses and
// replies, one process killed with SIGKILL mid-run. Every breach fires once (one history change,
// one workflow run), at its due minute plus at most the clock's interval and the killed node's
// lease; paused cases do not breach. Slow (about four minutes): real minutes have to pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from 'kizuna/testing';

const TOKEN = 'kz_test_sla_sim_token_0123456789';
const MINUTE = 60_000;
const CASES = 30;
// The clock job's interval (30 s), a lost turn taken over after the queue's lease, and slack for a busy machine.
const LATENESS_MS = 100_000;

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/testing/crash-server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, KZ_TOKEN: TOKEN, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const ready = async (): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      const m = /ready (\d+)/.exec(out);
      if (m) return `http://127.0.0.1:${m[1]}`;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not start:\n${out}`);
  };
  return { child, ready };
}

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe.skipIf(!process.env.DATABASE_URL)('SLA clock simulation on two PostgreSQL processes', () => {
  const children: ChildProcess[] = [];
  const schema = `kz_test_slasim_${randomBytes(4).toString('hex')}`;
  const url = process.env.DATABASE_URL!;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
  });

  it('fires each breach once at its minute, through a SIGKILL of one process', { timeout: 420_000 }, async () => {
    const env = { KZ_DATABASE_URL: url, KZ_SCHEMA: schema };
    const a = startServer(env);
    children.push(a.child);
    const baseA = await a.ready();
    expect((await call(baseA, 'POST', '/api/plugins/service/install')).status).toBe(201);
    // A pending status (the standard case has none), before the second process starts.
    const def = (await call(baseA, 'GET', '/api/meta/objects/case')).body;
    const options = [...def.properties.status['x-kizuna'].options, { value: 'pending', label: { en: 'Pending', ja: '保留' } }];
    expect((await call(baseA, 'PATCH', '/api/meta/objects/case/fields/status', { options })).status).toBe(200);
    const b = startServer(env);
    children.push(b.child);
    const baseB = await b.ready();
    const allDay = [['00:00', '24:00']];
    const calendar = (
      await call(baseA, 'POST', '/api/records/calendar', {
        name: '24/7',
        time_zone: 'UTC',
        use_japanese_holidays: false,
        weekly_hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, allDay])),
      })
    ).body.id;
    const policy = await call(baseA, 'POST', '/api/records/sla_policy', {
      name: 'All',
      calendar,
      first_response_minutes: 600,
      resolution_minutes: 120,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const wf = await call(baseA, 'POST', '/api/workflows', {
      name: 'escalate',
      trigger: { type: 'record.updated', object: 'case', fields: ['resolution_breached'], condition: { resolution_breached: true } },
      start: 'x',
      steps: [{ id: 'x', type: 'wait', config: { seconds: 0 } }],
    });
    expect((await call(baseA, 'POST', `/api/workflows/${wf.body.id}/publish`)).status).toBe(200);
    expect((await call(baseA, 'POST', `/api/workflows/${wf.body.id}/enable`)).status).toBe(200);

    // Case i falls due 1, 2 or 3 minutes from now; every fifth is paused, every fifth answered.
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const cases: { id: string; paused: boolean }[] = [];
    for (let i = 0; i < CASES; i++) {
      const base = i % 2 ? baseA : baseB;
      const started = new Date(now - (120 - 1 - (i % 3)) * MINUTE).toISOString();
      const made = await call(base, 'POST', '/api/records/case', { subject: `sim ${i}`, sla_started_at: started });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      if (i % 5 === 1) await call(base, 'POST', '/api/records/message', { subject: 're', direction: 'outbound', case: made.body.id });
      cases.push({ id: made.body.id, paused: false });
    }
    for (let i = 0; i < CASES; i += 5) {
      const r = await call(i % 2 ? baseA : baseB, 'PATCH', `/api/records/case/${cases[i].id}`, { status: 'pending' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      cases[i].paused = true;
    }

    // Mid-run: the first process dies without a goodbye.
    await new Promise((r) => setTimeout(r, 80_000));
    a.child.kill('SIGKILL');

    const expected = cases.filter((c) => !c.paused);
    const read = async () => Promise.all(cases.map(async (c) => (await call(baseB, 'GET', `/api/records/case/${c.id}`)).body));
    await expect
      .poll(async () => (await read()).filter((c) => c.resolution_breached === true).length, { timeout: 240_000, interval: 5_000 })
      .toBe(expected.length);
    const lateness: number[] = [];
    for (const c of await read()) {
      const paused = cases.find((x) => x.id === c.id)!.paused;
      if (paused) {
        expect(c).toMatchObject({ sla_status: 'paused', resolution_breached: false });
        continue;
      }
      const late = Date.parse(c.sla_breached_at) - Date.parse(c.resolution_due);
      lateness.push(late / 1000);
      expect(late, `case ${c.subject}`).toBeGreaterThanOrEqual(0);
      expect(late, `case ${c.subject}`).toBeLessThanOrEqual(LATENESS_MS);
      const timeline = (await call(baseB, 'GET', `/api/records/case/${c.id}/timeline`)).body.data as {
        changes?: Record<string, { to?: unknown }>;
      }[];
      expect(timeline.filter((h) => h.changes?.resolution_breached?.to === true)).toHaveLength(1);
    }
    // A figure for the report, not an assertion: how long after its due minute each breach was flagged.
    console.log(`breach lateness (s): ${lateness.sort((x, y) => x - y).join(' ')}`);
    await expect
      .poll(async () => (await call(baseB, 'GET', `/api/workflows/${wf.body.id}/runs?limit=100`)).body.data.length, {
        timeout: 60_000,
        interval: 2_000,
      })
      .toBe(expected.length);
  });
});
