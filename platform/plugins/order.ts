// Plugins in dependency order, with clear errors for what cannot be ordered.
import semver from 'semver';
import { conflict, type FieldProblem } from '../problems/index.ts';
import type { PluginManifest } from './manifest.ts';

export const KIZUNA_VERSION = '0.1.0';

/** Problems that keep a plugin from installing next to the given others (installed or to be). */
export function dependencyProblems(m: PluginManifest, available: Map<string, { version: string }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (m.name === 'enabled') problems.push({ field: 'name', message: '"enabled" is kept for GET /api/plugins/enabled' });
  if (!semver.validRange(m.kizuna)) problems.push({ field: 'kizuna', message: `"${m.kizuna}" is not a semver range` });
  else if (!semver.satisfies(KIZUNA_VERSION, m.kizuna, { includePrerelease: true })) {
    problems.push({ field: 'kizuna', message: `needs Kizuna ${m.kizuna}; this is ${KIZUNA_VERSION}` });
  }
  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    const have = available.get(dep);
    if (!have) problems.push({ field: `dependencies.${dep}`, message: `needs the plugin "${dep}" (${range}), which is not installed` });
    else if (!semver.validRange(range)) problems.push({ field: `dependencies.${dep}`, message: `"${range}" is not a semver range` });
    else if (!semver.satisfies(have.version, range))
      problems.push({ field: `dependencies.${dep}`, message: `needs ${dep} ${range}; ${have.version} is installed` });
  }
  return problems;
}

/** Topological order (dependencies first); a cycle is a 409 naming it. */
export function orderPlugins<T extends { manifest: PluginManifest }>(plugins: T[]): T[] {
  const byName = new Map(plugins.map((p) => [p.manifest.name, p]));
  const out: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: T, path: string[]) => {
    const name = p.manifest.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw conflict(`Plugin dependency cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, name]);
    }
    state.set(name, 'done');
    out.push(p);
  };
  for (const p of [...plugins].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))) visit(p, []);
  return out;
}
