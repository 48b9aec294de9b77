// Plugins' studio entries (plugins/<name>/studio/index.ts) are picked up when the studio is
// built; at run time only those of plugins enabled on the server are loaded, each given the
// extension API: field renderers and slot contributions.
import { contribute, registerFieldRenderer, setPluginActive } from './extensions.ts';

export interface StudioExtensionApi {
  registerFieldRenderer: typeof registerFieldRenderer;
  contribute: typeof contribute;
}

type Entry = { default?: (studio: StudioExtensionApi) => void | Promise<void> };

const entries = import.meta.glob<Entry>('../../../plugins/*/studio/index.ts');
const loaded = new Set<string>();

export const pluginOf = (path: string) => /plugins\/([^/]+)\/studio\/index\.ts$/.exec(path)?.[1];

export async function loadPluginExtensions(enabled: string[]): Promise<string[]> {
  for (const name of loaded) setPluginActive(name, enabled.includes(name));
  for (const [path, load] of Object.entries(entries)) {
    const name = pluginOf(path);
    if (!name || !enabled.includes(name) || loaded.has(name)) continue;
    // Each plugin's contributions are tagged with its name, so disabling it hides them.
    const api: StudioExtensionApi = {
      registerFieldRenderer: (key, component) => registerFieldRenderer(key, component, name),
      contribute: (slot, c) => contribute(slot, { ...c, plugin: name }),
    };
    try {
      await (await load()).default?.(api);
      loaded.add(name);
    } catch (e) {
      // One plugin's broken studio code must not take the studio down.
      console.error(`plugin ${name}: studio extension failed to load`, e);
    }
  }
  return [...loaded];
}
