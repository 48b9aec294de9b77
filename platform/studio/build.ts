// Builds the studio SPA on start when its dist is missing or older than its sources.
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
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
 * Builds into a sibling temp folder, then swaps it in, so a server serving outDir (or a second
 * process building at the same time) never sees a half-emptied folder.
 */
async function buildStudio(studioDir: string, outDir: string): Promise<void> {
  const { build } = await import('vite');
  const temp = await mkdtemp(join(dirname(outDir), `${BUILD_TEMP_PREFIX}${basename(outDir)}-`));
  // Vite decides between a production and a development build of Vue from process.env.NODE_ENV,
  // and sets it to 'production' for the whole process when it is unset. Under vitest it is
  // 'test', which would produce (and cache) a development build. Force it, then put it back.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(studioDir, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: temp, emptyOutDir: true },
    });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await swapIn(temp, outDir);
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
