// Record input → checked values. One ajv validator pair per definition version (cached on
// the compiled model, which is replaced when the metadata changes).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv, fieldSchema, resolveOption, systemFieldNames, type ObjectModel } from '../model/index.ts';
import { validation, type FieldProblem } from '../problems/index.ts';

interface Validators {
  create: ValidateFunction;
  update: ValidateFunction;
}

const cache = new WeakMap<ObjectModel, Validators>();
const ajv = createAjv();

function validatorsOf(model: ObjectModel): Validators {
  let v = cache.get(model);
  if (v) return v;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of model.fieldList) {
    if (f.type.readOnly) continue;
    const schema = fieldSchema(f.spec);
    if (f.type.uniqueAfterNormalize) delete schema.uniqueItems;
    properties[f.name] = schema;
    if (f.spec.required) required.push(f.name);
  }
  const base = { type: 'object', properties, additionalProperties: false };
  v = {
    create: ajv.compile({ ...base, required }),
    update: ajv.compile(base),
  };
  cache.set(model, v);
  return v;
}

const ignored = new Set<string>([...systemFieldNames, 'deleted_at']);

/**
 * Prepares and checks input. System and read-only fields are dropped (so a record read with
 * GET can be sent back as is), except formula fields, refused with 422; select labels become
 * values; amounts become decimal strings.
 */
export function checkInput(model: ObjectModel, input: unknown, mode: 'create' | 'update'): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validation([{ field: '(root)', message: 'must be a JSON object of field values' }], 'The record must be a JSON object');
  }
  const values: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [k, raw] of Object.entries(input)) {
    if (ignored.has(k)) continue;
    const f = model.fields.get(k);
    // A formula's value is the platform's to compute: a write that sets one is told so, not
    // silently ignored (an autonumber, by contrast, may come back as GET gave it).
    if (f?.spec.type === 'formula') {
      problems.push({ field: k, message: 'is a formula field: its value is computed and cannot be written', keyword: 'read_only' });
      continue;
    }
    if (f?.type.readOnly) continue;
    let v = f?.type.normalize ? f.type.normalize(raw, f.spec) : raw;
    if (f && f.spec.type === 'select') v = resolveOption(f.spec, v);
    if (f && f.spec.type === 'multi_select' && Array.isArray(v)) v = v.map((x) => resolveOption(f.spec, x));
    if (hasNul(v)) problems.push({ field: k, message: 'must not contain NUL characters' });
    values[k] = v;
  }
  if (mode === 'create') {
    for (const f of model.fieldList) {
      if (values[f.name] === undefined && f.spec.default !== undefined && !f.type.readOnly)
        values[f.name] = structuredClone(f.spec.default);
    }
  }
  const validate = validatorsOf(model)[mode];
  if (!validate(values)) problems.push(...fieldProblems(model, values, validate.errors));
  // What the schema cannot say (a currency's fraction digits), for values it let through.
  for (const [name, v] of Object.entries(values)) {
    const f = model.fields.get(name);
    if (!f?.type.check || v === null || v === undefined || problems.some((p) => p.field === name || p.field.startsWith(`${name}.`)))
      continue;
    const problem = f.type.check(v, f.spec);
    if (problem) problems.push({ field: name, ...problem });
  }
  if (problems.length) throw validation(dedupe(problems));
  return values;
}

function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === 'object') return Object.values(v).some(hasNul);
  return false;
}

const dedupe = (ps: FieldProblem[]) => {
  const seen = new Set<string>();
  return ps.filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)));
};

function fieldProblems(model: ObjectModel, values: Record<string, unknown>, errors: ErrorObject[] | null | undefined): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors ?? []) {
    const segments = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      out.push({ field: name, message: `is not a field of ${model.name}`, keyword: 'unknown_field' });
      continue;
    }
    if (e.keyword === 'required' && segments.length === 0) {
      out.push({ field: String(e.params.missingProperty), message: 'is required', keyword: 'required' });
      continue;
    }
    const name = segments[0];
    const f = model.fields.get(name);
    if (!f) continue;
    if (values[name] === null && f.spec.required) {
      out.push({ field: name, message: 'is required', keyword: 'required' });
      continue;
    }
    out.push({ field: segments.join('.'), message: messageFor(e, f.type.patternMessage), keyword: e.keyword });
  }
  return out;
}

const formatMessages: Record<string, string> = {
  email: 'must be a valid email address',
  uri: 'must be a valid URL',
  date: 'must be a date (YYYY-MM-DD)',
  'date-time': 'must be an ISO 8601 date-time with time zone, such as 2026-01-05T09:30:00+09:00',
  uuid: 'must be a record id (uuid)',
};

function messageFor(e: ErrorObject, patternMessage?: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const t = String(p.type)
        .split(',')
        .filter((x) => x !== 'null');
      const words: Record<string, string> = {
        string: 'a string',
        integer: 'an integer',
        number: 'a number',
        boolean: 'true or false',
        array: 'an array',
        object: 'an object',
      };
      return `must be ${t.map((x) => words[x] ?? x).join(' or ')}`;
    }
    case 'format':
      return formatMessages[String(p.format)] ?? `must be a valid ${p.format}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).filter((x) => x !== null).join(', ')}`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minLength':
      return 'must not be empty';
    case 'minimum':
      return `must be ≥ ${p.limit}`;
    case 'maximum':
      return `must be ≤ ${p.limit}`;
    case 'pattern':
      return patternMessage ?? 'has the wrong format';
    case 'uniqueItems':
      return 'must not list a value twice';
    case 'required':
      return `must have "${p.missingProperty}"`;
    case 'additionalProperties':
      return `has an unknown key "${p.additionalProperty}"`;
    default:
      return e.message ?? 'is invalid';
  }
}
