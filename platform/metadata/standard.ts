// The standard objects (metadata/objects/*.json) are installed on first start, in one change.
import { readdirSync, readFileSync } from 'node:fs';
import { fieldTypes, parseObjectInput, type FieldSpec, type ObjectSpec } from '../model/index.ts';
import type { Registry } from './registry.ts';

const objectsDir = new URL('../../metadata/objects/', import.meta.url);

export function loadStandardSpecs(): ObjectSpec[] {
  return readdirSync(objectsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const spec = parseObjectInput(JSON.parse(readFileSync(new URL(f, objectsDir), 'utf8')));
      return { ...spec, standard: true, fields: spec.fields.map((field) => ({ ...field, standard: true })) };
    });
}

/**
 * Adds standard objects that are missing; objects an admin already has are left as they are,
 * except standard fields whose type the platform has since made more precise on the same
 * columns (country: text of 2 characters → country, issue 13): those take the new type, and
 * keep the labels and flags the admin gave them; and standard select options the platform now
 * ships as `closed` (case status resolved/closed, issue 16) where the admin's option of that
 * value has not said either way. No column changes, no data is rewritten.
 */
export async function installStandardObjects(registry: Registry): Promise<string[]> {
  const shipped = loadStandardSpecs();
  const missing = shipped.filter((s) => !registry.find(s.name));
  const retyped = retypedFields(registry, shipped);
  const closing = closingFields(registry, shipped);
  if (retyped.length || closing.length) {
    await registry.change((specs) => {
      for (const { object, field } of retyped) {
        const spec = specs.get(object);
        if (!spec) continue;
        specs.set(object, { ...spec, fields: spec.fields.map((f) => (f.name === field.name && f.standard ? retype(f, field) : f)) });
      }
      for (const { object, field } of closing) {
        const spec = specs.get(object);
        if (!spec) continue;
        specs.set(object, { ...spec, fields: spec.fields.map((f) => (f.name === field.name && f.standard ? markClosed(f, field) : f)) });
      }
    });
  }
  if (missing.length === 0) return [];
  const { value } = await registry.change((specs) => {
    const added: string[] = [];
    for (const s of missing) {
      if (!specs.has(s.name)) {
        specs.set(s.name, s);
        added.push(s.name);
      }
    }
    return added;
  });
  return value;
}

const columnTypes = (f: FieldSpec) =>
  fieldTypes[f.type]
    .columns(f)
    .map((c) => c.type)
    .join();

function retypedFields(registry: Registry, shipped: ObjectSpec[]) {
  const out: { object: string; field: FieldSpec }[] = [];
  for (const spec of shipped) {
    const model = registry.find(spec.name);
    if (!model) continue;
    for (const field of spec.fields) {
      const have = model.fields.get(field.name)?.spec;
      if (have?.standard && have.type !== field.type && columnTypes(have) === columnTypes(field)) out.push({ object: spec.name, field });
    }
  }
  return out;
}

/** The shipped type, without the keys the old type needed (max_length 2 meant "a code"). */
function retype(have: FieldSpec, shipped: FieldSpec): FieldSpec {
  const { max_length: _m, ...rest } = have;
  return { ...rest, type: shipped.type, ...(shipped.max_length !== undefined && { max_length: shipped.max_length }) };
}

/** Shipped options flagged closed whose installed twin (same value) has no `closed` yet. */
const unflagged = (have: FieldSpec, shipped: FieldSpec) =>
  (shipped.options ?? []).filter((o) => o.closed && have.options?.some((h) => h.value === o.value && h.closed === undefined));

function closingFields(registry: Registry, shipped: ObjectSpec[]) {
  const out: { object: string; field: FieldSpec }[] = [];
  for (const spec of shipped) {
    const model = registry.find(spec.name);
    for (const field of spec.fields) {
      const have = model?.fields.get(field.name)?.spec;
      if (have?.standard && have.type === 'select' && unflagged(have, field).length) out.push({ object: spec.name, field });
    }
  }
  return out;
}

function markClosed(have: FieldSpec, shipped: FieldSpec): FieldSpec {
  const closed = new Set(unflagged(have, shipped).map((o) => o.value));
  return { ...have, options: have.options?.map((o) => (closed.has(o.value) ? { ...o, closed: true } : o)) };
}
