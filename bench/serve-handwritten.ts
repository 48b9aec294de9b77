// Child process: the hand-written baseline (handwritten.ts) on a free port of 127.0.0.1.
// Prints one JSON line {"port": n} when it listens; stops on SIGTERM.
import { serve } from '@hono/node-server';
import { createHandwritten } from './handwritten.ts';

const hw = createHandwritten({
  url: process.env.BENCH_DATABASE_URL!,
  schema: process.env.BENCH_SCHEMA!,
  max: Number(process.env.BENCH_POOL ?? 10),
  token: process.env.BENCH_TOKEN!,
  actor: process.env.BENCH_ACTOR!,
  prepare: process.env.BENCH_PREPARE !== 'false',
  lateHeaders: process.env.BENCH_LATE_HEADERS === 'true',
});
const server = serve({ fetch: hw.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, pid: process.pid }) + '\n');
});
process.on('SIGTERM', () => {
  server.close();
  void hw.close().finally(() => process.exit(0));
});
