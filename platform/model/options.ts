// Select values are accepted by their value or, as people type them, by a label (any case):
// "Retail", "retail" and "小売" all mean the option whose value is "retail".
import type { FieldSpec } from './types.ts';

export function resolveOption(f: FieldSpec, v: unknown): unknown {
  if (typeof v !== 'string' || !f.options) return v;
  if (f.options.some((o) => o.value === v)) return v;
  const wanted = v.trim().toLowerCase();
  const hit = f.options.find((o) => o.value.toLowerCase() === wanted || o.label.en.toLowerCase() === wanted || o.label.ja === v.trim());
  return hit ? hit.value : v;
}
