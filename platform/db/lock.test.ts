// The data folder lock guards PGlite only: a PostgreSQL server has its own guard, so there is
// no second database to run this on.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock } from './lock.ts';

/** Another process that takes the lock, says so on stdout, and releases it when its stdin closes. */
async function otherHolder(dir: string) {
  const script = `
    const { acquireDataDirLock } = await import(${JSON.stringify(new URL('./lock.ts', import.meta.url).href)});
    const lock = await acquireDataDirLock(${JSON.stringify(dir)});
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await lock.release(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  expect(line.toString()).toBe('locked\n');
  return {
    pid: child.pid!,
    async release() {
      const exited = once(child, 'exit');
      child.stdin.end();
      const [code] = await exited;
      expect(code).toBe(0);
    },
  };
}

describe('PGlite data folder lock', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const dir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'kizuna-lock-'));
    dirs.push(d);
    return d;
  };
  const lockFile = (d: string) => join(d, '.kizuna.lock');

  it('refuses a second holder while the first one lives, naming it and the folder, and lets it in once released', async () => {
    const d = await dir();
    const other = await otherHolder(d);
    try {
      await expect(acquireDataDirLock(d)).rejects.toThrow(`another Kizuna (pid ${other.pid}) is using ${d}`);
      // The refusal left the holder's lock as it was.
      expect(await readFile(lockFile(d), 'utf8')).toBe(String(other.pid));
    } finally {
      await other.release();
    }
    expect(existsSync(lockFile(d))).toBe(false);
    const mine = await acquireDataDirLock(d);
    expect(await readFile(lockFile(d), 'utf8')).toBe(String(process.pid));
    await mine.release();
    expect(existsSync(lockFile(d))).toBe(false);
  });

  it('takes over a lock left by a crashed process, and removes it on release', async () => {
    const d = await dir();
    await writeFile(lockFile(d), '999999999');
    const lock = await acquireDataDirLock(d);
    expect(await readFile(lockFile(d), 'utf8')).toBe(String(process.pid));
    await lock.release();
    expect(existsSync(lockFile(d))).toBe(false);
  });
});
