// Every keyword the metadata API refuses with has words of its own in both languages: the
// keywords are read from the server's source, so a new refusal without words fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.ts';
import { ja } from '../i18n/ja.ts';
import { metadataProblemText } from './metadata-problems.ts';
import type { Translate } from './record-checks.ts';

const translator =
  (messages: Record<string, string>): Translate =>
  (key, params = {}) =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));

const sources = [
  'platform/model/define.ts',
  'platform/model/display.ts',
  'platform/metadata/operations.ts',
  'platform/plugins/manifest.ts',
  'platform/plugins/discover.ts',
  'platform/model/formula-fields.ts',
  'platform/formula/compile.ts',
];
const serverKeywords = [...new Set(sources.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/keyword: '(\w+)'/g)].map((m) => m[1])))];

describe('metadata refusals in the reader’s language', () => {
  it('finds the keywords in the server source', () => {
    expect(serverKeywords).toEqual(expect.arrayContaining(['taken', 'not_for_type', 'no_such_field', 'in_use', 'immutable']));
  });

  it.each(serverKeywords)('has Japanese words for %s, never the server’s English', (keyword) => {
    const p = { field: 'fields.0.x', keyword, message: 'ENGLISH', params: { name: 'email', type: 'json', object: 'company', limit: 53 } };
    const text = metadataProblemText(p, translator(ja));
    expect(text).not.toContain('ENGLISH');
    expect(text).not.toBe(ja['check.server']);
    expect(text).toMatch(/[ぁ-んァ-ヶ一-龠]/);
  });

  it('names what the server names, and the type as the designer lists it', () => {
    const tEn = translator(en);
    const tJa = translator(ja);
    expect(metadataProblemText({ field: 'name', keyword: 'taken', message: '', params: { name: 'title' } }, tJa)).toBe(
      '「title」はすでに使われています',
    );
    expect(metadataProblemText({ field: 'fields.0.unique', keyword: 'not_for_type', message: '', params: { type: 'json' } }, tEn)).toBe(
      `a ${en['type.json']} field cannot have this setting`,
    );
    expect(metadataProblemText({ field: 'fields.0.name', keyword: 'pattern', message: 'must match' }, tJa)).toBe(ja['meta.apiName']);
    expect(metadataProblemText({ field: 'fields.0.max_length', keyword: 'maximum', message: '', params: { limit: 1000000 } }, tEn)).toBe(
      'must be at most 1000000',
    );
  });

  it('falls back to the server’s words in English only', () => {
    const p = { field: 'x', keyword: 'something_new', message: 'is odd' };
    expect(metadataProblemText(p, translator(en))).toBe('is odd');
    expect(metadataProblemText(p, translator(ja))).toBe(ja['check.server']);
  });
});
