// Where plugins come from: folders under plugins/ (bundled) and npm packages that declare
// themselves Kizuna plugins (`"kizuna": { "plugin": "plugin.json" }` in their package.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readPluginDir, type PluginPackage } from './manifest.ts';

export interface DiscoveryResult {
  plugins: Map<string, PluginPackage>;
  /** Folders or packages that look like plugins but could not be read, with why. */
  broken: { where: string; error: string }[];
}

export function discoverPlugins(opts: { root: string; dirs?: string[] }): DiscoveryResult {
  const plugins = new Map<string, PluginPackage>();
  const broken: DiscoveryResult['broken'] = [];
  const add = (where: string, load: () => PluginPackage) => {
    try {
      const p = load();
      const other = plugins.get(p.manifest.name);
      if (other) throw new Error(`a plugin named "${p.manifest.name}" is also in ${other.dir}`);
      plugins.set(p.manifest.name, p);
    } catch (e) {
      broken.push({ where, error: (e as Error).message });
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
