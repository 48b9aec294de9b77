// `npm start` as a user runs it: a real process on a fresh PGlite folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const ready = async () => {
    for (let i = 0; i < 600 && !/Kizuna studio: /.test(out); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return out;
  };
  return { child, ready, exited, output: () => out };
}

describe('npm start on embedded PGlite', () => {
  const children: ChildProcess[] = [];
  let dataDir: string;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the database on first start, prints the studio URL, the setup token and the admin key once, serves the API, and keeps data across restarts', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kizuna-start-'));
    const port = await freePort();
    const first = start({ KIZUNA_DATA_DIR: dataDir, PORT: String(port) });
    children.push(first.child);
    const out = await first.ready();
    const key = /Kizuna admin API key[^\n]*\n\s*\n\s*(kz_\S+)/.exec(out)?.[1];
    expect(key, out).toBeTruthy();
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    // A person is sent to the studio with the token it asks for; no curl command to copy.
    expect(out).toContain(`Kizuna studio: http://localhost:${port}/`);
    expect(out).not.toMatch(/curl/);
    const token = /one-time setup token:\n\s*\n\s*(\S+)/.exec(out)?.[1];
    expect(token, out).toBeTruthy();
    const setup = await fetch(`${base}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password: 'first-admin-password' }),
    });
    expect(setup.status).toBe(200);
    expect(await (await fetch(`${base}/api/auth/setup`)).json()).toEqual({ pending: false });
    const made = await fetch(`${base}/api/records/contact`, { method: 'POST', headers: auth, body: JSON.stringify({ last_name: '永続' }) });
    expect(made.status).toBe(201);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);

    // A second process on the same folder is refused with a clear message.
    const second = start({ KIZUNA_DATA_DIR: dataDir, PORT: String(await freePort()) });
    children.push(second.child);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/another Kizuna \(pid \d+\) is using/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const again = start({ KIZUNA_DATA_DIR: dataDir, PORT: String(port) });
    children.push(again.child);
    const out2 = await again.ready();
    expect(out2).not.toMatch(/admin API key|setup token/);
    expect(out2).toContain(`Kizuna studio: http://localhost:${port}/`);
    const list = await fetch(`${base}/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: '永続' }))}`, {
      headers: auth,
    });
    expect((await list.json()).data).toHaveLength(1);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 120_000);
});
