// The comparison keys of raw values, remembered by value: a scan compares each record with
// several others and a per-record check compares one record with all its candidates, so the
// same phone is read by libphonenumber (~50 µs) or the same name folded (~15 µs) again and again.
// Each cache keeps between MAX_ENTRIES and twice as many recent values, in two generations:
// when the current one is full it becomes the old one and the oldest is dropped whole, so
// memory stays bounded however many records pass through. (Evicting one entry at a time with
// `map.keys().next()` walks the holes the deletes leave: 300k new values took 2.3 s, 33× this.)
// A value seen once gains nothing and pays its entry (~0.5 µs a miss and an insert, and old
// generations for the garbage collector): an import's new rows are such values, so their keys
// are computed by `freshKeys` and only the values compared afterwards are remembered.
import {
  companyReading,
  isRoleAddress,
  legalFormOf,
  normalizeCompanyName,
  normalizeEmail,
  normalizeExact,
  normalizePhone,
  normalizePlace,
  personNameKey,
  registrableDomain,
  scriptOf,
  websiteDomain,
} from './normalize.ts';
import { romajiKeys } from './romaji.ts';

const MAX_ENTRIES = 20_000;

function remembered<T>(compute: (value: string) => T): (value: string) => T {
  let current = new Map<string, T>();
  let old = new Map<string, T>();
  return (value) => {
    // One look-up per generation (a normalizer answers null, never undefined, for nothing).
    const hit = current.get(value);
    if (hit !== undefined) return hit;
    const aged = old.get(value);
    const result = aged !== undefined ? aged : compute(value);
    if (current.size >= MAX_ENTRIES) {
      old = current;
      current = new Map();
    }
    current.set(value, result);
    return result;
  };
}

/** Caches a normalizer of one value: strings by value, anything else computed each time. */
function byValue<T>(normalize: (value: unknown) => T): (value: unknown) => T {
  const cached = remembered((s) => normalize(s));
  return (value) => (typeof value === 'string' ? cached(value) : normalize(value));
}

export const emailKey = byValue(normalizeEmail);
export const roleAddress = remembered(isRoleAddress);
export const hostKey = byValue(websiteDomain);
export const parentDomainKey = byValue(registrableDomain);
export const companyKey = byValue(normalizeCompanyName);
export const companyRomaji = byValue(companyReading);
export const legalForm = byValue(legalFormOf);
export const placeKey = byValue(normalizePlace);
export const exactKey = byValue(normalizeExact);
export const script = remembered(scriptOf);
export const readings = remembered(romajiKeys);

const phones = remembered((regionAndValue) => {
  const cut = regionAndValue.indexOf('\u0000');
  return normalizePhone(regionAndValue.slice(cut + 1), regionAndValue.slice(0, cut));
});
export const phoneKey = (value: unknown, region: string) => (typeof value === 'string' ? phones(`${region}\u0000${value}`) : null);

const names = remembered((joined) => personNameKey(joined.split('\u0000')));
/** personNameKey of the parts that are text (ids and empty values say nothing about a name). */
export const fullNameKey = (parts: unknown[]) => {
  const texts = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return texts.length ? names(texts.join('\u0000')) : null;
};

/** The normalizers blocking keys are built with (blocking.ts comparisonKeys). */
export interface KeyNormalizers {
  email: (value: unknown) => string | null;
  phone: (value: unknown, region: string) => string | null;
  host: (value: unknown) => string | null;
  fullName: (parts: unknown[]) => string | null;
  readings: (nameKey: string) => string[];
  company: (value: unknown) => string | null;
  companyRomaji: (value: unknown) => string | null;
  exact: (value: unknown) => string | null;
  roleAddress: (email: string) => boolean;
}

/** Remembered by value: for records compared again and again (candidates, a scan's blocks). */
export const cachedKeys: KeyNormalizers = {
  email: emailKey,
  phone: phoneKey,
  host: hostKey,
  fullName: fullNameKey,
  readings,
  company: companyKey,
  companyRomaji,
  exact: exactKey,
  roleAddress,
};

/** Computed each time: for records whose values were never seen (an import's new rows). */
export const freshKeys: KeyNormalizers = {
  email: normalizeEmail,
  phone: (value, region) => normalizePhone(value, region),
  host: websiteDomain,
  fullName: personNameKey,
  readings: romajiKeys,
  company: normalizeCompanyName,
  companyRomaji: companyReading,
  exact: normalizeExact,
  roleAddress: isRoleAddress,
};
