// The studio's extension points, the seam for plugins (issue 6 item 7 arrives with the
// plugin system): field renderers by type (or by "object.field"), and named slots where
// contributed components appear — detail panels, list actions, settings pages.
import { shallowReactive, type Component } from 'vue';

export type SlotName = 'record.panels' | 'list.actions' | 'settings.pages' | 'shell.menu';

export interface SlotContribution {
  id: string;
  component: Component;
  /** Only for these objects (all when absent). */
  objects?: string[];
  order?: number;
}

const renderers = shallowReactive(new Map<string, Component>());
const slots = shallowReactive(new Map<SlotName, SlotContribution[]>());

/** A display component for a field type ("currency") or one field ("contact.email"). */
export function registerFieldRenderer(key: string, component: Component): void {
  renderers.set(key, component);
}

export function fieldRenderer(object: string, field: string, type: string): Component | undefined {
  return renderers.get(`${object}.${field}`) ?? renderers.get(type);
}

export function contribute(slot: SlotName, contribution: SlotContribution): void {
  const list = (slots.get(slot) ?? []).filter((c) => c.id !== contribution.id);
  slots.set(slot, [...list, contribution].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)));
}

export function contributionsTo(slot: SlotName, object?: string): SlotContribution[] {
  return (slots.get(slot) ?? []).filter((c) => !c.objects || (object !== undefined && c.objects.includes(object)));
}
