// Builds the studio SPA on start when its dist is missing or older than its sources, with
// `vite build` in a child process: the server itself never loads the bundler.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';

export interface EnsureStudioBuiltOptions {
  /** The repository root (holds package-lock.json and studio/). */
  root: string;
  log?: (msg: string) => void;
  /** Where to build; default <root>/studio/dist. Tests build into a temp folder. */
  outDir?: string;
}

/** A dist is stale when it has no index.html or it is older than the newest source. */
export function isStale(distIndexMtime: number | undefined, newestSourceMtime: number): boolean {
  return distIndexMtime === undefined || distIndexMtime < newestSourceMtime;
}

const SKIPPED_DIRS = new Set(['dist', 'node_modules']);
const BUILD_TEMP_PREFIX = '.building-';

/** The newest mtime (ms) of any file under dir, skipping dist/, node_modules/ and build temps. */
export async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith(BUILD_TEMP_PREFIX)) continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Plugins' studio entries are built into the studio too (plugins/<name>/studio/). */
async function pluginStudioMtime(root: string): Promise<number> {
  const plugins = join(root, 'plugins');
  let newest = 0;
  for (const entry of await readdir(plugins, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    const dir = join(plugins, entry.name, 'studio');
    if ((await mtimeOf(dir)) !== undefined) newest = Math.max(newest, await newestMtime(dir));
  }
  return newest;
}

// One build per outDir at a time within this process; other processes are handled by the swap.
const inFlight = new Map<string, Promise<void>>();

export async function ensureStudioBuilt(opts: EnsureStudioBuiltOptions): Promise<string> {
  const studioDir = join(opts.root, 'studio');
  const outDir = resolve(opts.outDir ?? join(studioDir, 'dist'));
  const log = opts.log ?? (() => {});

  const [indexMtime, sourceMtime, lockMtime, pluginMtime] = await Promise.all([
    mtimeOf(join(outDir, 'index.html')),
    newestMtime(studioDir),
    mtimeOf(join(opts.root, 'package-lock.json')),
    pluginStudioMtime(opts.root),
  ]);
  if (!isStale(indexMtime, Math.max(sourceMtime, lockMtime ?? 0, pluginMtime))) return outDir;

  let building = inFlight.get(outDir);
  if (!building) {
    log(indexMtime === undefined ? 'studio: building (no build yet)…' : 'studio: rebuilding (sources changed)…');
    building = buildStudio(studioDir, outDir).finally(() => inFlight.delete(outDir));
    inFlight.set(outDir, building);
  }
  await building;
  log(`studio: built into ${outDir}`);
  return outDir;
}

/**
 * The studio for `npm start`: built when stale, and a failed build reported, never thrown —
 * the API starts anyway and serves the previous build if there is one (or a page saying the
 * studio is not built).
 */
export async function prepareStudio(opts: EnsureStudioBuiltOptions & { error: (msg: string) => void }): Promise<string> {
  const outDir = resolve(opts.outDir ?? join(opts.root, 'studio', 'dist'));
  try {
    return await ensureStudioBuilt({ ...opts, outDir });
  } catch (error) {
    const detail = error instanceof StudioBuildError ? error.message : String((error as Error)?.stack ?? error);
    opts.error(
      `studio: the build failed; the API runs without a fresh studio (\`npm run studio:build\` shows the whole error).\n${detail}`,
    );
    return outDir;
  }
}

/**
 * Builds into a sibling temp folder, then swaps it in, so a server serving outDir (or a second
 * process building at the same time) never sees a half-emptied folder.
 */
async function buildStudio(studioDir: string, outDir: string): Promise<void> {
  const temp = await mkdtemp(join(dirname(outDir), `${BUILD_TEMP_PREFIX}${basename(outDir)}-`));
  try {
    await runViteBuild(studioDir, temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await swapIn(temp, outDir);
}

/** Lines of the build's output kept for the error message of a failed build. */
const OUTPUT_TAIL_LINES = 30;

/**
 * Runs `vite build` in a child process. In the server's own process the bundler peaked at
 * 1.2 GB RSS and the process kept most of it for its whole life (issue 13); a child gives it
 * back to the system when it exits. NODE_ENV=production: Vite picks Vue's production build
 * from it, and under vitest it is 'test'.
 */
function runViteBuild(studioDir: string, outDir: string): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  const args = [
    vite,
    'build',
    studioDir,
    '--config',
    join(studioDir, 'vite.config.ts'),
    '--mode',
    'production',
    '--logLevel',
    'warn',
    '--outDir',
    outDir,
    '--emptyOutDir',
  ];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: studioDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (code === 0) return done();
      const tail = output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
      fail(
        new StudioBuildError(`vite build ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${tail ? `:\n${tail}` : ''}`),
      );
    });
  });
}

export class StudioBuildError extends Error {
  override name = 'StudioBuildError';
}

async function swapIn(temp: string, outDir: string): Promise<void> {
  const old = `${temp}-old`;
  await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  try {
    await rename(temp, outDir);
  } catch (error) {
    // Another process swapped its fresh build in between our two renames: keep theirs.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    await rm(temp, { recursive: true, force: true });
  }
  await rm(old, { recursive: true, force: true });
}
