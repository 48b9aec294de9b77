// Closed-loop load with autocannon (127.0.0.1 only, bounded by time), exact latencies taken
// from its per-response events (its own histogram rounds to whole milliseconds), and CPU time
// of the server process, of the PostgreSQL backends serving it and of this process (the load
// generator) read from /proc, plus what everything else on the machine used meanwhile — so a
// result says where the two cores went, and whether something else was competing for them.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { Shot } from './workloads.ts';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  bytesPerResponse: number;
  /** CPU milliseconds per request. */
  cpu: { server: number; postgres: number; client: number };
  /** CPU used by everything else on the machine during the run, in cores (0–2 here). */
  otherCores: number;
  statuses: Record<string, number>;
}

const TICK_MS = 10; // CLK_TCK = 100 on Linux

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return 0;
  }
}

/** Busy CPU time of the whole machine (all cores), in ticks, from /proc/stat. */
function machineTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
}

/**
 * Waits until the machine is quiet (other work — a test run, a build — would take cores from
 * the measurement): `seconds` consecutive seconds under `maxCores` busy, at most `timeout` s.
 */
export async function waitForQuiet(maxCores = 0.3, seconds = 3, timeout = 300): Promise<{ waited: number; quiet: boolean }> {
  const t0 = performance.now();
  let calm = 0;
  let last = machineTicks();
  while ((performance.now() - t0) / 1000 < timeout) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = machineTicks();
    const cores = ((now - last) * TICK_MS) / 1000;
    last = now;
    calm = cores < maxCores ? calm + 1 : 0;
    if (calm >= seconds) return { waited: (performance.now() - t0) / 1000, quiet: true };
  }
  return { waited: (performance.now() - t0) / 1000, quiet: false };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);

export async function runLoad(opts: {
  base: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  next: () => Shot;
  serverPid?: number;
  /** The PostgreSQL backends serving this server (by application_name). */
  postgresPids?: () => Promise<number[]>;
}): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(opts.base)) throw new Error(`load only goes to 127.0.0.1, not ${opts.base}`);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  const pgPids = opts.postgresPids ? await opts.postgresPids() : [];
  const pg0 = pgPids.map(ticksOf);
  const srv0 = opts.serverPid ? ticksOf(opts.serverPid) : 0;
  const all0 = machineTicks();
  const cli0 = process.cpuUsage();
  const t0 = performance.now();
  const instance = autocannon({
    url: opts.base,
    connections: opts.connections,
    duration: opts.seconds,
    headers: opts.headers,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const s = opts.next();
          return { ...req, method: s.method, path: s.path, body: s.body };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, resBytes: number, ms: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      latencies.push(ms);
      bytes += resBytes;
    }
  });
  await instance;
  const seconds = (performance.now() - t0) / 1000;
  const cli = process.cpuUsage(cli0);
  const srv = opts.serverPid ? (ticksOf(opts.serverPid) - srv0) * TICK_MS : 0;
  const all = (machineTicks() - all0) * TICK_MS;
  let pg = 0;
  pgPids.forEach((pid, i) => (pg += (ticksOf(pid) - pg0[i]) * TICK_MS));
  const cliMs = (cli.user + cli.system) / 1000;
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests: n,
    errors: total - n,
    seconds,
    rps: n / seconds,
    p50: pct(latencies, 0.5),
    p90: pct(latencies, 0.9),
    p99: pct(latencies, 0.99),
    mean: n ? latencies.reduce((a, b) => a + b, 0) / n : NaN,
    max: n ? latencies[n - 1] : NaN,
    bytesPerResponse: n ? bytes / n : 0,
    cpu: { server: srv / Math.max(total, 1), postgres: pg / Math.max(total, 1), client: cliMs / Math.max(total, 1) },
    otherCores: Math.max(0, all - srv - pg - cliMs) / 1000 / seconds,
    statuses,
  };
}
