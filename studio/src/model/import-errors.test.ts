// A preview cell's lookup failure is said from its keyword in the reader's language, naming the
// target object by its label — never by reading the server's English sentence.
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../api/types.ts';
import { en } from '../i18n/en.ts';
import { ja } from '../i18n/ja.ts';
import { fieldErrorText } from './import-errors.ts';
import type { Translate } from './record-checks.ts';

const translator =
  (messages: Record<string, string>): Translate =>
  (key, params = {}) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));

const company = { name: 'company', type: 'relation', target: 'company', label: { en: 'Company', ja: '取引先' } } as FieldSpec;
const owner = { name: 'owner', type: 'user', label: { en: 'Owner', ja: '所有者' } } as FieldSpec;
const labels: Record<string, string> = { company: '取引先' };

describe('import cell lookups in the reader’s language', () => {
  it('says a missing or shared name by keyword, with the target object’s label', () => {
    const jaT = translator(ja);
    const missing = { field: 'company', keyword: 'lookup_missing', message: 'company: no company named "Acme"' };
    expect(fieldErrorText(missing, company, jaT, (n) => labels[n])).toBe('この名前の取引先は見つかりません');
    const shared = { field: 'owner', keyword: 'lookup_ambiguous', message: 'owner: several users are named "佐藤"; give the id instead' };
    expect(fieldErrorText(shared, owner, jaT)).toBe('この名前のユーザーが複数あります。ID を指定してください');
    expect(fieldErrorText(missing, company, translator(en), () => 'Company')).toBe('Company: none by this name that you can see');
  });
});
