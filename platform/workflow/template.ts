// {{path}} templates over a run's context. Path lookups only (a.b.0.c) — never eval, and
// never through prototype properties, so a definition cannot reach code.
const PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;
const WHOLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const ANY = /\{\{\s*([^{}]+?)\s*\}\}/g;

export function lookup(context: unknown, path: string): unknown {
  if (!PATH.test(path)) return undefined;
  let v: unknown = context;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A string that is one template keeps the value's type; templates inside text become text. */
export function render(value: unknown, context: unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(context, whole[1]) ?? null;
    return value.replace(ANY, (_, path: string) => {
      const v = lookup(context, path);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, context));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, context)]));
  return value;
}
