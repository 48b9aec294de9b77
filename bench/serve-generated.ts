// Child process: the generated API (createKizuna) on a free port of 127.0.0.1. Prints one JSON
// line {"port": n} when it listens; stops on SIGTERM. Configured by run.ts through BENCH_*:
// BENCH_PLATFORM_DIR picks the source tree (run.ts --at <ref> exports a commit there).
import { serve } from '@hono/node-server';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.env.BENCH_PLATFORM_DIR || fileURLToPath(new URL('..', import.meta.url));
const { createKizuna } = (await import(pathToFileURL(join(root, 'platform/server.ts')).href)) as typeof import('../platform/server.ts');

const kizuna = await createKizuna({
  url: process.env.BENCH_DATABASE_URL!,
  schema: process.env.BENCH_SCHEMA!,
  max: Number(process.env.BENCH_POOL ?? 10),
  bootstrapToken: process.env.BENCH_TOKEN!,
});
const server = serve({ fetch: kizuna.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(JSON.stringify({ port: info.port, pid: process.pid }) + '\n');
});
process.on('SIGTERM', () => {
  server.close();
  void kizuna.close().finally(() => process.exit(0));
});
