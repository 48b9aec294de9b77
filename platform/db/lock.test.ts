import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from './lock.ts';

describe('PGlite data folder lock', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const dir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'kizuna-lock-'));
    dirs.push(d);
    return d;
  };

  it('refuses a second holder while the first one lives, naming the folder', async () => {
    const d = await dir();
    const first = await acquireDataDirLock(d);
    // The same pid counts as "another" only when it is a different process; simulate one with pid 1.
    await writeFile(join(d, '.kizuna.lock'), '1');
    await expect(acquireDataDirLock(d)).rejects.toThrow(/another Kizuna \(pid 1\) is using/);
    await first.release();
  });

  it('takes over a lock left by a crashed process', async () => {
    const d = await dir();
    await writeFile(join(d, '.kizuna.lock'), '999999999');
    const lock = await acquireDataDirLock(d);
    await lock.release();
  });
});
