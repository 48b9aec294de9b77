// A new PGlite data folder is created (initdb) in a child process. Creating one grows PGlite's
// WASM memory to ~800 MB, and WebAssembly memory is never given back while its instance lives:
// a server that created its folder itself kept twice a restart's RSS (issue 13). The child
// exits and takes that memory with it; the server then opens the folder as on any restart.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** True when pgData holds no PostgreSQL cluster yet. */
export function isNewDataDir(pgData: string): boolean {
  return !existsSync(join(pgData, 'PG_VERSION'));
}

export async function createDataDir(pgData: string): Promise<void> {
  const failed = (why: string) => new Error(`creating the PGlite data folder ${pgData} failed: ${why}`);
  await mkdir(dirname(pgData), { recursive: true }).catch((e: Error) => {
    throw failed(e.message);
  });
  const code = `
    const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});
    const pg = await PGlite.create({ dataDir: process.argv[1] });
    await pg.close();`;
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, pgData], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8192)));
    child.on('error', fail);
    child.on('close', (status) => (status === 0 ? done() : fail(failed(`exit ${status}: ${stderr.trim()}`))));
  });
}
