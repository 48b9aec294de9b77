// Imports a plugin's server entry, a new version under its own URL.
import { pathToFileURL } from 'node:url';
import { ProblemError } from '../problems/index.ts';
import type { PluginPackage } from './manifest.ts';
import type { PluginDefinition } from './sdk.ts';

export type DefinitionLoader = (pkg: PluginPackage, version: string) => Promise<PluginDefinition>;

/** A loader remembering, per server entry, the version first imported in this process. */
export function createDefinitionLoader(): DefinitionLoader {
  const loadedVersions = new Map<string, string>();
  return async function loadDefinition(pkg, version) {
    if (!pkg.serverEntry) return {};
    // ES modules are cached for the life of the process: after an upgrade the new version
    // is imported under a URL carrying it, so the new code runs without a restart.
    const first = loadedVersions.get(pkg.serverEntry);
    if (first === undefined) loadedVersions.set(pkg.serverEntry, version);
    const url = pathToFileURL(pkg.serverEntry).href + (first === undefined || first === version ? '' : `?v=${encodeURIComponent(version)}`);
    try {
      const mod = await import(url);
      return (mod.default ?? {}) as PluginDefinition;
    } catch (e) {
      throw new ProblemError({
        status: 422,
        type: 'plugin-invalid',
        title: 'Plugin cannot be loaded',
        detail: `The server entry of the plugin "${pkg.manifest.name}" failed to load: ${(e as Error)?.message ?? e}`,
        extra: { plugin: pkg.manifest.name },
      });
    }
  };
}
