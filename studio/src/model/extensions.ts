// The studio's extension points, the seam for plugins: field renderers by type (or by
// "object.field"), and named slots where contributed components appear — detail panels, list
// actions, settings pages (the plugins page shows a plugin's `settings.pages` contributions,
// scoped with `objects: [<plugin name>]`). A contribution made by a plugin is shown only while
// that plugin is enabled, so disabling one on the plugins page takes its UI away at once.
import { shallowReactive, type Component } from 'vue';

export type SlotName = 'record.panels' | 'list.actions' | 'settings.pages' | 'shell.menu';

export interface SlotContribution {
  id: string;
  component: Component;
  /** Only for these objects (all when absent); for `settings.pages`, the plugin's name. */
  objects?: string[];
  order?: number;
  /** The contributing plugin (set by the plugin loader). */
  plugin?: string;
}

const renderers = shallowReactive(new Map<string, { component: Component; plugin?: string }>());
const slots = shallowReactive(new Map<SlotName, SlotContribution[]>());
const disabled = shallowReactive(new Set<string>());

const live = (plugin: string | undefined) => !plugin || !disabled.has(plugin);

/** A display component for a field type ("currency") or one field ("contact.email"). */
export function registerFieldRenderer(key: string, component: Component, plugin?: string): void {
  renderers.set(key, { component, plugin });
}

export function fieldRenderer(object: string, field: string, type: string): Component | undefined {
  const r = [renderers.get(`${object}.${field}`), renderers.get(type)].find((x) => x && live(x.plugin));
  return r?.component;
}

export function contribute(slot: SlotName, contribution: SlotContribution): void {
  const list = (slots.get(slot) ?? []).filter((c) => c.id !== contribution.id);
  slots.set(
    slot,
    [...list, contribution].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)),
  );
}

export function contributionsTo(slot: SlotName, object?: string): SlotContribution[] {
  return (slots.get(slot) ?? []).filter((c) => live(c.plugin) && (!c.objects || (object !== undefined && c.objects.includes(object))));
}

/** Marks a plugin disabled (its contributions hide) or enabled again (they show). */
export function setPluginActive(plugin: string, active: boolean): void {
  if (active) disabled.delete(plugin);
  else disabled.add(plugin);
}
