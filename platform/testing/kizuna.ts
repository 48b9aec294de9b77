// Test support: a real Kizuna on a fresh database of each kind. PGlite always; PostgreSQL
// when DATABASE_URL is set, each instance in its own schema so runs never collide.
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { createKizuna, type Kizuna, type KizunaConfig } from '../server.ts';

export type DatabaseKind = 'pglite' | 'postgres';
export const databases: DatabaseKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
export const ADMIN_TOKEN = 'kz_test_admin_token_0123456789';

let template: Promise<PGlite> | undefined;

/** A PGlite with the platform bootstrapped once per test process, cloned for each test. */
async function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const pg = new PGlite();
    await pg.waitReady;
    const k = await createKizuna({ pglite: pg, bootstrapToken: ADMIN_TOKEN });
    // Everything but the database itself, which is the template.
    await k.plugins.close();
    await k.people.close();
    await k.registry.close();
    await k.keys.close();
    return pg;
  })();
  return template;
}

export interface TestKizuna extends Kizuna {
  kind: DatabaseKind;
  /** Calls the app like a client: JSON in, status + parsed body out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** The schema name on PostgreSQL (for opening a second instance on the same data). */
  schema?: string;
  /** The PGlite it runs on (a second instance on the same data: `startKizuna('pglite', { pglite })`). */
  pglite?: PGlite;
}

export async function startKizuna(kind: DatabaseKind, config: Partial<KizunaConfig> = {}): Promise<TestKizuna> {
  let k: Kizuna;
  let schema: string | undefined;
  let pg: PGlite | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  if (kind === 'pglite') {
    pg = config.pglite ?? ((await (await pgliteTemplate()).clone()) as PGlite);
    k = await createKizuna({ bootstrapToken: ADMIN_TOKEN, ...config, pglite: pg });
  } else {
    const url = process.env.DATABASE_URL!;
    schema = config.schema ?? `kz_test_${randomBytes(5).toString('hex')}`;
    k = await createKizuna({ url, schema, max: 4, bootstrapToken: ADMIN_TOKEN, ...config });
    if (!config.schema) {
      dropSchema = async () => {
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
      };
    }
  }
  return { ...wrap(k, kind, schema, dropSchema), pglite: pg };
}

function wrap(k: Kizuna, kind: DatabaseKind, schema: string | undefined, dropSchema?: () => Promise<void>): TestKizuna {
  return {
    ...k,
    kind,
    schema,
    async call(method, path, body, headers = {}) {
      const res = await k.app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await k.close();
      await dropSchema?.();
    },
  };
}
