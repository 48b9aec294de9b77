// The composition root: wires the capabilities together, nothing else.
import { createApp } from './api/index.ts';
import { bootstrapAdmin, createApiKeyStore, createPeopleStore, createSessionStore, type BootstrapResult } from './auth/index.ts';
import { createDatabase, type DatabaseConfig } from './db/index.ts';
import { createRegistry, installStandardObjects } from './metadata/index.ts';
import { createRecordService } from './records/index.ts';
import { bootstrapPlatform } from './schema/index.ts';

export interface KizunaConfig extends DatabaseConfig {
  bootstrapToken?: string;
  adminEmail?: string;
  adminPassword?: string;
  corsOrigins?: string[];
  secureCookies?: boolean;
  logRequests?: boolean;
  /** See RegistryOptions.bigTableBytes (tests set -1 to exercise concurrent index builds). */
  bigTableBytes?: number;
  studioDir?: string;
  bodyLimit?: number;
}

export async function createKizuna(config: KizunaConfig) {
  const db = await createDatabase(config);
  try {
    await bootstrapPlatform(db);
    const registry = await createRegistry({ db, bigTableBytes: config.bigTableBytes });
    await installStandardObjects(registry);
    const keys = await createApiKeyStore({ db });
    const people = await createPeopleStore({ db });
    await people.roles.installStandard();
    const sessions = createSessionStore({ db });
    const bootstrap: BootstrapResult = await bootstrapAdmin(db, keys, { token: config.bootstrapToken, email: config.adminEmail, password: config.adminPassword });
    const records = createRecordService({ db, registry });
    const app = createApp({
      db, registry, records, keys, people, sessions,
      bodyLimit: config.bodyLimit, studioDir: config.studioDir, corsOrigins: config.corsOrigins,
      secureCookies: config.secureCookies, logRequests: config.logRequests,
    });
    return {
      app,
      db,
      registry,
      records,
      keys,
      people,
      sessions,
      bootstrap,
      async close() {
        await keys.close().catch(() => {});
        await people.close().catch(() => {});
        await registry.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}

export type Kizuna = Awaited<ReturnType<typeof createKizuna>>;
