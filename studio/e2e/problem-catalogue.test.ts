// Every problem the server can answer reaches the studio's reader in their language: each
// problem `type` the platform and the shipped plugins construct has words of its own in en and
// ja (studio/src/model/problem-types.ts), and each field `keyword` a record write can carry is
// translated in Japanese rather than shown as the server's English. No browser: the catalogue
// is read from the server's source, where problems are made (platform/problems and callers).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client.ts';
import { en } from '../src/i18n/en.ts';
import { ja } from '../src/i18n/ja.ts';
import { knownProblemCodes, problemKey, problemLine, problemTypeText } from '../src/model/problem-types.ts';
import { problemMessage, type Translate } from '../src/model/record-checks.ts';
import { root } from './harness.ts';

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'testdata', 'studio'].includes(entry.name)) out.push(...(await sources(path)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The problem codes a source constructs: `new ProblemError({ …, type: 'code' })` and `gone('code', …)`. */
function codesIn(text: string): string[] {
  const made = [...text.matchAll(/new ProblemError\(\{[^}]*?\btype:\s*'([a-z-]+)'/g)].map((m) => m[1]);
  const gone = [...text.matchAll(/\bgone\(\s*'([a-z-]+)'/g)].map((m) => m[1]);
  return [...made, ...gone];
}

const translator =
  (messages: Record<string, string>): Translate =>
  (key, params = {}) =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));
const enT = translator(en);
const jaT = translator(ja);
const problem = (code: string, errors: { field: string; message: string }[] = []) =>
  new ApiError(400, 'English title', 'English detail of the refusal', errors, { type: `https://kizuna.dev/problems/${code}` });

describe('the catalogue of server problems in en and ja', () => {
  it('has words in en and ja for every problem type the server and its plugins construct', async () => {
    const found = new Map<string, string>();
    for (const dir of ['platform', 'plugins'])
      for (const file of await sources(join(root, dir)))
        for (const code of codesIn(await readFile(file, 'utf8'))) found.set(code, relative(root, file));
    // The scan itself works: the family's own helpers and a plugin's code are among them.
    expect([...found.keys()]).toEqual(
      expect.arrayContaining(['validation', 'not-found', 'forbidden', 'plugin-error', 'duplicate', 'link-used']),
    );
    const missing = [...found].filter(([code]) => !knownProblemCodes().includes(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
    for (const code of found.keys()) {
      const key = problemKey(code)!;
      expect(en[key], code).toBeTruthy();
      expect(ja[key], code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(ja[key], code).not.toBe(en[key]);
    }
  });

  it('never shows the server English detail or field words to a Japanese reader, and keeps them for an English one', () => {
    for (const code of knownProblemCodes()) {
      expect(problemTypeText(problem(code), jaT)).not.toContain('English');
      expect(problemLine(problem(code, [{ field: 'email', message: 'English words' }]), jaT)).not.toContain('English');
    }
    expect(problemTypeText(problem('forbidden'), enT)).toContain('English detail of the refusal');
    expect(problemLine(problem('validation', [{ field: 'email', message: 'must be an email' }]), enT)).toContain('email: must be an email');
    // A code the studio has no words for (a third-party plugin's): the status, in Japanese.
    expect(problemLine(problem('made-up-by-a-plugin'), jaT)).toBe('サーバーが要求を受け付けませんでした（400）。');
  });

  it('translates every field keyword of a record write into Japanese', async () => {
    const keywords = new Set([
      'required',
      'type',
      'format',
      'pattern',
      'maxLength',
      'minimum',
      'maximum',
      'enum',
      'uniqueItems',
      'maxItems',
    ]);
    for (const dir of ['platform/records', 'platform/model', 'platform/query'])
      for (const file of await sources(join(root, dir)))
        for (const m of (await readFile(file, 'utf8')).matchAll(/keyword: '([a-zA-Z_]+)'/g)) keywords.add(m[1]);
    expect([...keywords]).toEqual(expect.arrayContaining(['unique', 'reference', 'currency_code', 'unknown_field']));
    for (const keyword of keywords) {
      const text = problemMessage({ field: 'x', keyword, params: {}, message: 'English words' }, undefined, jaT);
      expect(text, keyword).not.toContain('English');
      expect(text, keyword).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });
});
