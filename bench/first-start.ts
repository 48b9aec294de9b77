// The server's memory on its first start (studio/dist removed, so the studio is built) and on a
// normal restart, measured once /api/health answers: `npx tsx bench/first-start.ts [repo dir]`
// (PGlite; with DATABASE_URL, PostgreSQL in a database of its own, dropped afterwards).
// Prints RSS at health and 2 s later, the server's peak (VmHWM), and the peak of any child it ran.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';

const repo = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const baseUrl = process.env.DATABASE_URL;

const mb = (kb: number) => Math.round(kb / 1024);
function status(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`, { withFileTypes: true })) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task.name}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const c of children.split(' ').filter(Boolean).map(Number)) out.push(c, ...descendants(c));
  }
  return out;
}
const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One start of `npm start`'s command; answers its figures once health answered, then stops it. */
async function start(env: Record<string, string>) {
  const scripts = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const args = scripts.start.replace(/^node\s+/, '').split(/\s+/);
  const port = await freePort();
  const began = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: repo,
    env: { ...process.env, ...env, PORT: String(port), KIZUNA_LOG_REQUESTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let childPeak = 0;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    for (const d of descendants(child.pid!)) childPeak = Math.max(childPeak, status(d)?.rss ?? 0);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
  const seconds = (Date.now() - began) / 1000;
  const atHealth = status(child.pid!)!;
  await sleep(2000);
  const later = status(child.pid!)!;
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  return {
    seconds,
    rssAtHealth: mb(atHealth.rss),
    rss2s: mb(later.rss),
    peak: mb(later.hwm),
    childPeak: mb(childPeak),
    built: /studio: built/.test(output),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'kizuna-first-start-'));
const databases: string[] = [];
const admin = baseUrl ? postgres(baseUrl, { max: 1, onnotice: () => {} }) : undefined;
async function freshDatabase(): Promise<Record<string, string>> {
  const name = `kz_first_start_${process.pid}_${databases.length}`;
  await admin!.unsafe(`create database ${name}`);
  databases.push(name);
  const url = new URL(baseUrl!);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}
const env = baseUrl ? await freshDatabase() : { KIZUNA_DATA_DIR: join(dir, 'data') };
const drop = async () => {
  for (const name of databases) await admin!.unsafe(`drop database if exists ${name} with (force)`);
  await admin?.end();
};
try {
  rmSync(join(repo, 'studio/dist'), { recursive: true, force: true });
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const first = await start(env);
  const restart = await start(env);
  // A first start whose studio is already built: what the new database alone costs.
  const freshEnv = baseUrl ? await freshDatabase() : { KIZUNA_DATA_DIR: mkdtempSync(join(dir, 'again-')) };
  const newDatabase = await start(freshEnv);
  console.log(
    `${repo} on ${baseUrl ? 'PostgreSQL' : 'PGlite'}; load average before: ${load}, after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('| start | studio built | health after s | RSS at health MB | RSS 2 s later MB | server peak MB | child peak MB |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const [label, r] of [
    ['first (no studio/dist, new database)', first],
    ['restart', restart],
    ['new database, studio built', newDatabase],
  ] as const) {
    console.log(
      `| ${label} | ${r.built ? 'yes' : 'no'} | ${r.seconds.toFixed(1)} | ${r.rssAtHealth} | ${r.rss2s} | ${r.peak} | ${r.childPeak || '—'} |`,
    );
  }
} finally {
  await drop();
  rmSync(dir, { recursive: true, force: true });
}
