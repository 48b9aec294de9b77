// An object's texts (label, plural label, description: each { en, ja }) and icon, as the
// designer's inputs hold them and as the metadata API takes them.
import type { ObjectDef } from '../api/types.ts';

export interface ObjectTextsModel {
  en: string;
  ja: string;
  pluralEn: string;
  pluralJa: string;
  descEn: string;
  descJa: string;
  icon: string;
}

export function textsOf(def?: ObjectDef): ObjectTextsModel {
  const k = def?.['x-kizuna'];
  // A plural label the same as the label is the server's fill-in for none: shown empty.
  const plural = k?.plural_label && (k.plural_label.en !== k.label.en || k.plural_label.ja !== k.label.ja) ? k.plural_label : undefined;
  return {
    en: k?.label.en ?? '',
    ja: k?.label.ja ?? '',
    pluralEn: plural?.en ?? '',
    pluralJa: plural?.ja ?? '',
    descEn: k?.description?.en ?? '',
    descJa: k?.description?.ja ?? '',
    icon: k?.icon ?? 'box',
  };
}

// Both languages or neither: one filled and one empty is sent, so the server names the empty one.
const pair = (en: string, ja: string) => (en.trim() || ja.trim() ? { en: en.trim(), ja: ja.trim() } : undefined);

/**
 * The metadata API's keys. Creating, an emptied plural or description is left out; changing
 * (`clear`), it is sent as null, which clears it (the plural label goes back to the label).
 */
export function textsBody(m: ObjectTextsModel, clear = false): Record<string, unknown> {
  const plural = pair(m.pluralEn, m.pluralJa);
  const description = pair(m.descEn, m.descJa);
  const none = clear ? null : undefined;
  return {
    label: { en: m.en.trim(), ja: m.ja.trim() },
    icon: m.icon,
    ...((plural ?? none) !== undefined && { plural_label: plural ?? none }),
    ...((description ?? none) !== undefined && { description: description ?? none }),
  };
}

/** A 422's field (label.en, fields.0.name, plural_label.ja) as the inputs' error key (label_en). */
export const errorKey = (field: string) => field.replace(/\./g, '_');
