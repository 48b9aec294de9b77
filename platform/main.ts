// `npm start`: build the studio if needed (in a child process), open the database, serve on PORT.
import { serve } from '@hono/node-server';
import { resolve } from 'node:path';
import { answerClientErrors } from './api/index.ts';
import { createKizuna } from './server.ts';
import { prepareStudio } from './studio/index.ts';
import { logEvent } from './log/index.ts';

const log = (msg: string, extra: Record<string, unknown> = {}) => logEvent({ level: 'info', msg, ...extra });

const root = resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 3000);
const url = process.env.DATABASE_URL || undefined;
const dataDir = resolve(process.env.KIZUNA_DATA_DIR ?? './data');

const studioDir = await prepareStudio({
  root,
  log: (m) => log(m),
  error: (m) => logEvent({ level: 'error', msg: m }),
});
const kizuna = await createKizuna({
  url,
  dataDir: url ? undefined : dataDir,
  pgliteSharedBuffers: process.env.KIZUNA_PGLITE_SHARED_BUFFERS || undefined,
  bootstrapToken: process.env.KIZUNA_BOOTSTRAP_TOKEN || undefined,
  adminEmail: process.env.KIZUNA_ADMIN_EMAIL || undefined,
  adminPassword: process.env.KIZUNA_ADMIN_PASSWORD || undefined,
  corsOrigins: process.env.KIZUNA_CORS_ORIGINS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  secureCookies: process.env.KIZUNA_SECURE_COOKIES === 'true',
  logRequests: process.env.KIZUNA_LOG_REQUESTS !== 'false',
  bodyLimit: process.env.KIZUNA_BODY_LIMIT ? Number(process.env.KIZUNA_BODY_LIMIT) : undefined,
  importLimit: process.env.KIZUNA_IMPORT_LIMIT ? Number(process.env.KIZUNA_IMPORT_LIMIT) : undefined,
  hookTimeoutMs: process.env.KIZUNA_HOOK_TIMEOUT_MS ? Number(process.env.KIZUNA_HOOK_TIMEOUT_MS) : undefined,
  importBatchSize: process.env.KIZUNA_IMPORT_BATCH ? Number(process.env.KIZUNA_IMPORT_BATCH) : undefined,
  smtpUrl: process.env.KIZUNA_SMTP_URL || undefined,
  mailFrom: process.env.KIZUNA_SMTP_FROM || undefined,
  workflowHttpHosts: process.env.KIZUNA_WORKFLOW_HTTP_HOSTS?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean),
  studioDir,
}).catch((e: Error) => {
  console.error(`kizuna: cannot start: ${e.message}`);
  process.exit(1);
});

const server = serve({ fetch: kizuna.app.fetch, port }, (info) => {
  log('kizuna listening', { url: `http://localhost:${info.port}`, database: url ? 'postgres' : `pglite ${dataDir}` });
  console.log(welcome(`http://localhost:${info.port}/`, kizuna.bootstrap));
});
answerClientErrors(server);

/** What a person reads in the terminal: where the studio is and, on first start, how to get in. */
function welcome(studioUrl: string, bootstrap: typeof kizuna.bootstrap): string {
  const lines = ['', `  Kizuna studio: ${studioUrl}`, ''];
  if (bootstrap.setupToken) {
    lines.push(
      `  Open it to choose the admin password (${process.env.KIZUNA_ADMIN_EMAIL || 'admin@localhost'}); it asks for this`,
      '  one-time setup token:',
      '',
      `    ${bootstrap.setupToken}`,
      '',
    );
  }
  if (bootstrap.generatedKey) {
    lines.push('  Kizuna admin API key, for scripts and the API (shown once, keep it safe):', '', `    ${bootstrap.generatedKey}`, '');
  } else if (bootstrap.created) {
    lines.push('  Kizuna admin created; its API key is KIZUNA_BOOTSTRAP_TOKEN.', '');
  }
  return lines.join('\n');
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('stopping', { signal });
  server.close();
  await kizuna.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
