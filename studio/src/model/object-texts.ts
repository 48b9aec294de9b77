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
  return {
    en: k?.label.en ?? '',
    ja: k?.label.ja ?? '',
    pluralEn: k?.plural_label?.en ?? '',
    pluralJa: k?.plural_label?.ja ?? '',
    descEn: k?.description?.en ?? '',
    descJa: k?.description?.ja ?? '',
    icon: k?.icon ?? 'box',
  };
}

// Both languages or neither: one filled and one empty is sent, so the server names the empty one.
const pair = (en: string, ja: string) => (en.trim() || ja.trim() ? { en: en.trim(), ja: ja.trim() } : undefined);

/** The metadata API's keys (an emptied plural or description is left as it was: the API keeps them). */
export function textsBody(m: ObjectTextsModel): Record<string, unknown> {
  const plural = pair(m.pluralEn, m.pluralJa);
  const description = pair(m.descEn, m.descJa);
  return {
    label: { en: m.en.trim(), ja: m.ja.trim() },
    icon: m.icon,
    ...(plural && { plural_label: plural }),
    ...(description && { description }),
  };
}

/** A 422's field (label.en, fields.0.name, plural_label.ja) as the inputs' error key (label_en). */
export const errorKey = (field: string) => field.replace(/\./g, '_');
