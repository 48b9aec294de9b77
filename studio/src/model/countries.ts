// Country fields in the studio: the server stores the ISO 3166-1 alpha-2 code; people see the
// country's name in their language (the browser's CLDR names, Intl.DisplayNames) and choose
// from the same list of codes the server accepts (i18n-iso-countries).
import countries from 'i18n-iso-countries';
import type { Locale } from '../composables/useI18n.ts';

export const countryCodes: string[] = Object.keys(countries.getAlpha2Codes());

const names = new Map<Locale, Intl.DisplayNames>();

/** The country's name in the locale; the code itself when the browser has no name for it. */
export function countryName(code: string, locale: Locale): string {
  let n = names.get(locale);
  if (!n) names.set(locale, (n = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' })));
  try {
    return n.of(code) ?? code;
  } catch {
    return code; // not a well-formed region code (a value stored before the field was a country)
  }
}

/** Every code with its name in the locale, sorted by name as the locale sorts. */
export function countryChoices(locale: Locale): { code: string; name: string }[] {
  const collator = new Intl.Collator(locale);
  return countryCodes.map((code) => ({ code, name: countryName(code, locale) })).sort((a, b) => collator.compare(a.name, b.name));
}
