// Countries as people write them — ISO 3166-1 alpha-2 or alpha-3 codes, or names in English,
// Japanese or German (JP, jpn, Japan, 日本, 日本国, Deutschland, U.K.) — read to the alpha-2
// code that a country field stores. Names and codes come from i18n-iso-countries (CLDR-based,
// with English aliases such as USA, UK, United States), never from a table of our own.
import countries from 'i18n-iso-countries';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Japanese and English for what people type here; German because contact lists from German
// partners say Deutschland and Österreich (seen in a real 2,000-row list, issue 13).
const LOCALES = ['en', 'ja', 'de'] as const;
for (const l of LOCALES) countries.registerLocale(require(`i18n-iso-countries/langs/${l}.json`));

/** Every ISO 3166-1 alpha-2 code, sorted. */
export const COUNTRY_CODES: readonly string[] = Object.keys(countries.getAlpha2Codes()).sort();

const byName = (name: string) => {
  for (const l of LOCALES) {
    const code = countries.getAlpha2Code(name, l);
    if (code) return code;
  }
  return undefined;
};

/** The alpha-2 code of a country as written, or undefined when it names none. */
export function countryCode(written: string): string | undefined {
  const s = written.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (/^[A-Za-z]{2,3}$/.test(s) && countries.isValid(s)) return countries.toAlpha2(s);
  // U.K., U.S.A. and "Korea, Republic of" as spreadsheets write them.
  const bare = s.replace(/[.]/g, '');
  return (
    byName(s) ??
    byName(bare) ??
    // 日本国, 大韓民国 are the formal Japanese names; CLDR lists the short ones (日本).
    (s.length > 2 && s.endsWith('国') ? byName(s.slice(0, -1)) : undefined)
  );
}
