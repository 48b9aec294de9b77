// A bare Kizuna server for the crash test (platform/imports/crash.test.ts): a real process the
// test can kill -9 in the middle of an import. Configured by environment only; no studio build,
// so it starts in about a second. Prints "ready <port>" once it listens.
import { serve } from '@hono/node-server';
import { createKizuna } from '../server.ts';

const env = process.env;
const kizuna = await createKizuna({
  url: env.KZ_DATABASE_URL || undefined,
  schema: env.KZ_SCHEMA || undefined,
  dataDir: env.KZ_DATA_DIR || undefined,
  bootstrapToken: env.KZ_TOKEN,
  logRequests: false,
  importBatchSize: Number(env.KZ_BATCH ?? 500),
  jobPollMs: 50,
  // The crashed process's job is taken over once its heartbeat is this old.
  jobStaleMs: 1000,
});
const server = serve({ fetch: kizuna.app.fetch, port: Number(env.PORT ?? 0) }, (info) => console.log(`ready ${info.port}`));
process.on('SIGTERM', () => {
  server.close();
  void kizuna.close().then(() => process.exit(0));
});
if (env.KZ_TRACE_LOOP) {
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - last > 300) console.error(`event loop blocked ${now - last} ms`);
    last = now;
  }, 50).unref();
}
