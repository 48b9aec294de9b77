// Where tests find the real, externally authored data copied into the repository
// (test/fixtures/, licence notes beside each file): a fresh clone has everything it tests with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of test/fixtures/<path> (a file or, with a trailing slash, a folder). */
export function fixturePath(path: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));
}

/** The bytes of test/fixtures/<path>, exactly as stored (encodings and line endings are tested). */
export function readFixture(path: string): Buffer {
  return readFileSync(fixturePath(path));
}

/** Real Japanese family (姓) and given (名) names with katakana readings, from IPADIC (EUC-JP). */
export function japaneseNames(): { family: [string, string][]; given: [string, string][] } {
  const text = new TextDecoder('euc-jp').decode(readFixture('ja-names/ipadic-Noun.name.euc-jp.csv'));
  const family: [string, string][] = [];
  const given: [string, string][] = [];
  for (const line of text.split('\n')) {
    const c = line.split(',');
    if (c.length < 12) continue;
    (c[7] === '姓' ? family : given).push([c[0], c[11]]);
  }
  return { family, given };
}
