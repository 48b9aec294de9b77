// Column → field mapping: suggestions from API names, en/ja labels and the words Japanese and
// English spreadsheets use; validation of a mapping sent by a client; and the converter that
// turns one row of cells into record input.
import type { FieldModel, ObjectModel } from '../model/index.ts';
import { validation, type FieldProblem } from '../problems/index.ts';
import { splitName } from './names.ts';
import { parseCell, type ValueOptions } from './values.ts';

/** header → field name, "$full_name", "$full_name_kana", or null (ignored). */
export type Mapping = Record<string, string | null>;

export const SPLIT_TARGETS: Record<string, [string, string]> = {
  $full_name: ['last_name', 'first_name'],
  $full_name_kana: ['last_name_kana', 'first_name_kana'],
};

// Words people put in header rows, per target, beyond the field's own name and labels.
const SYNONYMS: Record<string, string[]> = {
  $full_name: ['氏名', '名前', 'お名前', 'フルネーム', '担当者名', 'full name', 'name', 'contact name'],
  $full_name_kana: ['フリガナ', 'ふりがな', '氏名フリガナ', '氏名カナ', 'カナ氏名', 'よみがな', 'furigana'],
  last_name: ['姓', '苗字', '名字', 'surname', 'family name', 'last'],
  first_name: ['名', 'given name', 'first'],
  last_name_kana: ['セイ', '姓カナ', '姓フリガナ', 'フリガナ姓', 'せい'],
  first_name_kana: ['メイ', '名カナ', '名フリガナ', 'フリガナ名', 'めい'],
  email: ['メールアドレス', 'メール', 'eメール', 'e-mail', 'mail', 'email address', 'mail address'],
  phone: ['電話番号', '電話', '代表電話', '代表電話番号', 'tel', 'telephone', 'phone number'],
  mobile: ['携帯', '携帯番号', '携帯電話番号', 'cell', 'mobile phone'],
  company: ['会社名', '会社', '企業名', '勤務先', 'company name', 'organization', 'account'],
  title: ['役職', '役職名', '肩書', '肩書き', 'job title', 'position'],
  notes: ['備考', '備考欄', 'メモ', 'memo', 'note', 'comments'],
  postal_code: ['郵便番号', '郵便番号〒', '〒', 'zip', 'zip code', 'zipcode', 'postcode', 'postal code'],
  street: ['住所', '番地', '所在地', 'address', 'street address'],
  website: ['url', 'ホームページ', 'hp', 'web', 'webサイト', 'ウェブサイト'],
  name_kana: ['フリガナ', '会社名カナ', '会社名フリガナ', '社名カナ'],
  annual_revenue: ['売上高', '年商', '売上', 'revenue'],
  department: ['部署', '部署名', '部門'],
  name: ['会社名', '企業名', '社名', '法人名', '名称', 'company name'],
};

const key = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-・()（）[\]【】:：*＊]/g, '');

/** Header names made unique and never empty (the mapping is keyed by them). */
export function columnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((h, i) => {
    // U+0000 cannot be stored (jsonb, text): a stray one in a header shows as U+FFFD.
    const base = h.replaceAll('\u0000', '\ufffd').trim() || `column_${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

const importable = (f: FieldModel) => !f.type.readOnly;

export function suggestMapping(model: ObjectModel, columns: string[]): Mapping {
  const byKey = new Map<string, string>();
  const add = (k: string, target: string) => {
    if (!byKey.has(key(k))) byKey.set(key(k), target);
  };
  for (const f of model.fieldList.filter(importable)) {
    add(f.name, f.name);
    add(f.spec.label.en, f.name);
    if (f.spec.label.ja) add(f.spec.label.ja, f.name);
  }
  for (const [target, words] of Object.entries(SYNONYMS)) {
    const usable = SPLIT_TARGETS[target]
      ? SPLIT_TARGETS[target].every((n) => model.fields.has(n))
      : model.fields.has(target) && importable(model.fields.get(target)!);
    if (usable) for (const w of words) add(w, target);
  }
  const used = new Set<string>();
  const out: Mapping = {};
  for (const c of columns) {
    const target = byKey.get(key(c));
    out[c] = target && !used.has(target) ? target : null;
    if (target) used.add(target);
  }
  return out;
}

export function checkMapping(model: ObjectModel, columns: string[], mapping: unknown): Mapping {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping))
    throw validation([{ field: 'mapping', message: 'must be an object of column → field' }]);
  const problems: FieldProblem[] = [];
  const out: Mapping = {};
  const targets = new Set<string>();
  for (const [column, target] of Object.entries(mapping)) {
    if (!columns.includes(column)) problems.push({ field: `mapping.${column}`, message: 'is not a column of the file' });
    else if (target === null || target === '') out[column] = null;
    else if (typeof target !== 'string') problems.push({ field: `mapping.${column}`, message: 'must be a field name or null' });
    else if (
      SPLIT_TARGETS[target]
        ? !SPLIT_TARGETS[target].every((n) => model.fields.has(n))
        : !model.fields.get(target) || !importable(model.fields.get(target)!)
    ) {
      problems.push({ field: `mapping.${column}`, message: `"${target}" is not an importable field of ${model.name}` });
    } else if (targets.has(target)) problems.push({ field: `mapping.${column}`, message: `"${target}" is mapped twice` });
    else {
      targets.add(target);
      out[column] = target;
    }
  }
  if (problems.length) throw validation(problems, 'The mapping does not fit the file or the object');
  if (!Object.values(out).some(Boolean)) throw validation([{ field: 'mapping', message: 'maps no column to a field' }]);
  return out;
}

export interface ConvertedRow {
  input: Record<string, unknown>;
  /** Relation and user cells to look up by name (reference-names.ts): field → text. */
  lookups: Record<string, string>;
}

export function rowConverter(model: ObjectModel, columns: string[], mapping: Mapping, opts: ValueOptions) {
  const plan = columns.map((c, i) => ({ i, target: mapping[c] ?? null })).filter((p) => p.target);
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  return (cells: string[]): ConvertedRow => {
    const input: Record<string, unknown> = {};
    const lookups: Record<string, string> = {};
    for (const { i, target } of plan) {
      const text = cells[i] ?? '';
      const split = SPLIT_TARGETS[target!];
      if (split) {
        const { last, first } = splitName(text);
        if (last !== undefined && input[split[0]] === undefined) input[split[0]] = last;
        if (first !== undefined && input[split[1]] === undefined) input[split[1]] = first;
        continue;
      }
      const f = model.fields.get(target!)!;
      if ((f.spec.type === 'relation' || f.spec.type === 'user') && text.trim() && !UUID.test(text.trim())) {
        // As written (trimmed): names are matched exactly, and a target created for a missing
        // name is stored as the file spells it (日本商事㈱ stays ㈱).
        lookups[f.name] = text.trim();
        continue;
      }
      const v = parseCell(text, f, opts);
      if (v !== undefined) input[f.name] = v;
    }
    return { input, lookups };
  };
}
