// What the plugin stores in a record's dedupe_keys: its blocking keys, and a marker naming the
// rules and normalization that produced them — so that records written before the plugin was
// installed, or before its rules changed, are found and their keys recomputed (backfill.ts).
import { blockingKeys } from './blocking.ts';
import { fnv1a } from './scan.ts';
import type { Rule } from './rules.ts';

/** Bump when normalization or blocking changes what keys a record gets. */
export const KEYS_VERSION = 3;

/** The marker of the current rules: `v:<version>.<hash of rules and region>`. */
export function keysMarker(rules: Rule[], region: string): string {
  const spec = JSON.stringify([region, rules.map((r) => [r.name, r.kind, r.fields])]);
  return `v:${KEYS_VERSION}.${fnv1a(spec).toString(36)}`;
}

/** keysMarker per rule list (the same array for a whole batch): hashing the rules per row showed in profiles. */
const markers = new WeakMap<Rule[], Map<string, string>>();
function markerOf(rules: Rule[], region: string): string {
  const byRegion = markers.get(rules) ?? new Map<string, string>();
  markers.set(rules, byRegion);
  let m = byRegion.get(region);
  if (!m) byRegion.set(region, (m = keysMarker(rules, region)));
  return m;
}

export function storedKeys(
  rules: Rule[],
  record: Record<string, unknown>,
  region: string,
  keys = blockingKeys(rules, record, region),
): string[] {
  return [markerOf(rules, region), ...keys];
}
