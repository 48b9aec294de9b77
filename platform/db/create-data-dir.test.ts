import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDataDir, isNewDataDir } from './create-data-dir.ts';
import { createDatabase } from './database.ts';

describe('a new PGlite data folder', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'kizuna-datadir-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('createDataDir makes a cluster that then opens like an existing folder', async () => {
    const pgData = join(temp, 'a', 'pg');
    expect(isNewDataDir(pgData)).toBe(true);
    await createDataDir(pgData);
    expect(isNewDataDir(pgData)).toBe(false);
    const db = await createDatabase({ dataDir: join(temp, 'a') });
    try {
      expect(await db.query(sql`select current_setting('server_version_num')::int >= 150000 as ok`)).toEqual([{ ok: true }]);
    } finally {
      await db.close();
    }
  });

  it('opens with a small page cache (32MB unless KIZUNA_PGLITE_SHARED_BUFFERS says), refusing a malformed size', async () => {
    const dataDir = join(temp, 'c');
    const setting = async (db: Awaited<ReturnType<typeof createDatabase>>) =>
      (await db.query<{ v: string }>(sql`select current_setting('shared_buffers') as v`))[0].v;
    const first = await createDatabase({ dataDir });
    try {
      expect(await setting(first)).toBe('32MB');
    } finally {
      await first.close();
    }
    const second = await createDatabase({ dataDir, pgliteSharedBuffers: '16MB' });
    try {
      expect(await setting(second)).toBe('16MB');
    } finally {
      await second.close();
    }
    await expect(createDatabase({ dataDir, pgliteSharedBuffers: '32 MB; drop' })).rejects.toThrow(/KIZUNA_PGLITE_SHARED_BUFFERS/);
    // The refusal left the folder free to open again.
    const third = await createDatabase({ dataDir });
    await third.close();
  });

  it('is created on first open, and keeps its data across opens', async () => {
    const dataDir = join(temp, 'b');
    const first = await createDatabase({ dataDir });
    await first.query(sql`create table kept (v text)`);
    await first.query(sql`insert into kept values ('here')`);
    await first.close();
    const again = await createDatabase({ dataDir });
    try {
      expect(await again.query(sql`select v from kept`)).toEqual([{ v: 'here' }]);
    } finally {
      await again.close();
    }
  });

  it('reports a folder that cannot be created, naming it', async () => {
    const file = join(temp, 'not-a-folder');
    await writeFile(file, 'x');
    await expect(createDataDir(join(file, 'pg'))).rejects.toThrow(/creating the PGlite data folder .*not-a-folder\/pg failed/);
  });
});
