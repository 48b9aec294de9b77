// How a record is named in the studio: the object's display template ({ en, ja } of `{field}`
// placeholders, e.g. a contact's "{last_name} {first_name}" in Japanese), else its display
// field — as the server renders it (platform/model/display.ts) for the timeline's names.
import type { ObjectDef } from '../api/types.ts';
import type { Locale } from '../composables/useI18n.ts';

const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,62})\}/g;

const templateOf = (def: ObjectDef) => def['x-kizuna'].display;

/** The display field: what lists sort and search by when naming records. */
export const displayFieldOf = (def: ObjectDef) =>
  def['x-kizuna'].display_field ??
  Object.entries(def.properties).find(([, p]) => !p['x-kizuna'].system && !p['x-kizuna'].internal)?.[0] ??
  'id';

/** The fields a record's name is made of (ask for these with `fields=`). */
export function displayFieldsOf(def: ObjectDef): string[] {
  const t = templateOf(def);
  if (!t) return [displayFieldOf(def)];
  return [...new Set([...t.en.matchAll(PLACEHOLDER), ...t.ja.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** A record's name in the reader's language ('' when the fields it is made of are empty). */
export function recordTitle(def: ObjectDef, row: Record<string, unknown>, locale: Locale): string {
  const t = templateOf(def);
  if (!t) {
    const v = row[displayFieldOf(def)];
    return v === null || v === undefined ? '' : String(v);
  }
  const render = (template: string) =>
    template
      .replace(PLACEHOLDER, (_, name: string) => (row[name] === null || row[name] === undefined ? '' : String(row[name])))
      .replace(/\s+/g, ' ')
      .trim();
  return render(t[locale]) || render(t[locale === 'ja' ? 'en' : 'ja']);
}
