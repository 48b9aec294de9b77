// Where plugins come from: folders under plugins/ (bundled) and npm packages that declare
// themselves Kizuna plugins (`"kizuna": { "plugin": "plugin.json" }` in their package.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readPluginDir, type PluginPackage } from './manifest.ts';
import { isProblem, type FieldProblem } from '../problems/index.ts';

/** The name in a folder's plugin.json if it can be read at all, else the folder's (or package's) name. */
function nameOf(where: string): string {
  try {
    const name = JSON.parse(readFileSync(join(where, 'plugin.json'), 'utf8'))?.name;
    if (typeof name === 'string' && name) return name;
  } catch {
    /* unreadable: the folder's name it is */
  }
  return basename(where);
}

export interface DiscoveryResult {
  plugins: Map<string, PluginPackage>;
  /** Folders or packages that look like plugins but could not be read, with why. */
  broken: BrokenPlugin[];
}

export interface BrokenPlugin {
  /** The plugin's name as far as it can be told: the manifest's, else the folder's or package's. */
  name: string;
  where: string;
  error: string;
  /** What is wrong, by path in the manifest (`metadata.objects.0` must have "plural"). */
  errors: FieldProblem[];
}

class DuplicatePlugin extends Error {
  constructor(
    readonly plugin: string,
    readonly elsewhere: string,
  ) {
    super(`a plugin named "${plugin}" is also in ${elsewhere}`);
  }
}
/** A plugin that failed without a problem of its own: said by keyword (docs/API.md, "Plugins"). */
function unreadable(e: unknown): FieldProblem {
  const message = (e as Error).message;
  if (e instanceof DuplicatePlugin) return { field: 'name', message, keyword: 'taken', params: { name: e.plugin } };
  if (e instanceof SyntaxError) return { field: 'plugin.json', message, keyword: 'invalid_json' };
  return { field: 'plugin.json', message, keyword: 'unreadable' };
}

export function discoverPlugins(opts: { root: string; dirs?: string[] }): DiscoveryResult {
  const plugins = new Map<string, PluginPackage>();
  const broken: DiscoveryResult['broken'] = [];
  const add = (where: string, load: () => PluginPackage) => {
    try {
      const p = load();
      const other = plugins.get(p.manifest.name);
      if (other) throw new DuplicatePlugin(p.manifest.name, other.dir);
      plugins.set(p.manifest.name, p);
    } catch (e) {
      broken.push({
        name: nameOf(where),
        where,
        error: (e as Error).message,
        errors: isProblem(e) ? (e.errors ?? []) : [unreadable(e)],
      });
    }
  };
  for (const base of opts.dirs ?? [join(opts.root, 'plugins')]) {
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      const dir = join(base, entry.name);
      if (entry.isDirectory() && existsSync(join(dir, 'plugin.json'))) add(dir, () => readPluginDir(dir, 'bundled'));
    }
  }
  const pkgPath = join(opts.root, 'package.json');
  if (existsSync(pkgPath)) {
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const depPkg = join(opts.root, 'node_modules', dep, 'package.json');
      if (!existsSync(depPkg)) continue;
      const meta = JSON.parse(readFileSync(depPkg, 'utf8'));
      const manifest = meta?.kizuna?.plugin;
      if (typeof manifest !== 'string') continue;
      add(dep, () => readPluginDir(dirname(join(dirname(depPkg), manifest)), 'npm'));
    }
  }
  return { plugins, broken };
}
