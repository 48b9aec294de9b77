// Select values are accepted by their value or, as people type them, by a label (any case):
// "Retail", "retail" and "小売" all mean the option whose value is "retail". Labels compare in
// NFKC, as imports read select cells: "銀（シルバー）" and "銀(シルバー)" are one label.
import type { FieldSpec } from './types.ts';

export function resolveOption(f: FieldSpec, v: unknown): unknown {
  if (typeof v !== 'string' || !f.options) return v;
  if (f.options.some((o) => o.value === v)) return v;
  const wanted = v.trim().toLowerCase();
  const norm = (s: string) => s.normalize('NFKC').trim();
  const hit = f.options.find(
    (o) =>
      o.value.toLowerCase() === wanted || norm(o.label.en).toLowerCase() === norm(wanted) || (o.label.ja && norm(o.label.ja) === norm(v)),
  );
  return hit ? hit.value : v;
}
