// A value against a JSON Schema, in the browser, before anything is sent: types, enums, bounds,
// lengths, patterns, required and unknown keys — the workflow designer's live checks and the
// plugin settings form. Each problem names its path and an i18n code; the server checks again.
import { isTemplate, type JsonSchema } from './workflow.ts';

export interface SchemaProblem {
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function fitsType(v: unknown, type: string | string[] | undefined): boolean {
  if (!type) return true;
  const types = Array.isArray(type) ? type : [type];
  const t = typeOf(v);
  return types.some((x) => x === t || (x === 'number' && t === 'integer'));
}

/** Problems of a value against a (ref-free) JSON Schema; templates stand in for any type. */
export function schemaProblems(schema: JsonSchema | undefined, value: unknown, path = ''): SchemaProblem[] {
  if (!schema || typeof schema !== 'object') return [];
  const out: SchemaProblem[] = [];
  if (value === undefined) return out;
  // A whole-value template is resolved at run time and may be any type.
  if (isTemplate(value) && schema.type !== 'string') return out;
  if (!fitsType(value, schema.type)) {
    out.push({ field: path, code: 'wf.problem.type', params: { expected: String(schema.type) } });
    return out;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    out.push({ field: path, code: 'wf.problem.enum', params: { values: schema.enum.join(', ') } });
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      out.push({ field: path, code: 'wf.problem.minimum', params: { n: schema.minimum } });
    if (schema.maximum !== undefined && value > schema.maximum)
      out.push({ field: path, code: 'wf.problem.maximum', params: { n: schema.maximum } });
  }
  if (typeof value === 'string') out.push(...stringProblems(schema, value, path));
  if (Array.isArray(value)) {
    if (schema.minItems && value.length < schema.minItems)
      out.push({ field: path, code: 'wf.problem.minItems', params: { n: schema.minItems } });
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      out.push({ field: path, code: 'schema.problem.maxItems', params: { n: schema.maxItems } });
    value.forEach((item, i) => out.push(...schemaProblems(schema.items, item, join(path, String(i)))));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (obj[key] === undefined || obj[key] === '') out.push({ field: join(path, key), code: 'wf.problem.required' });
    }
    if (schema.minProperties && Object.keys(obj).length < schema.minProperties) out.push({ field: path, code: 'wf.problem.minProperties' });
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) out.push(...schemaProblems(sub, v, join(path, key)));
      else if (schema.additionalProperties === false && schema.properties)
        out.push({ field: join(path, key), code: 'wf.problem.unknownKey' });
    }
  }
  return out;
}

function stringProblems(schema: JsonSchema, value: string, path: string): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  if (schema.minLength && value.length < schema.minLength) out.push({ field: path, code: 'wf.problem.required' });
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    out.push({ field: path, code: 'schema.problem.maxLength', params: { n: schema.maxLength } });
  // A template is filled in at run time: its pattern is the server's to check then.
  if (schema.pattern && !isTemplate(value) && !matches(schema.pattern, value))
    out.push({ field: path, code: 'schema.problem.pattern', params: { pattern: schema.pattern } });
  return out;
}

/** A pattern the browser cannot read (another regex dialect) is left to the server. */
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

const join = (a: string, b: string) => (a ? `${a}.${b}` : b);
