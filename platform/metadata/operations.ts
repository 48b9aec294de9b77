// The metadata API's operations as mutators over the desired specs: each says what the admin
// asked for and what is refused; the registry plans, checks and applies.
import {
  displayFieldNames,
  formulaReaders,
  mutableFieldKeys,
  normalizeField,
  parseFieldInput,
  parseObjectInput,
  type FieldSpec,
  type ObjectSpec,
} from '../model/index.ts';
import { conflict, notFound, validation } from '../problems/index.ts';
import type { Mutator } from './registry.ts';

const mustHave = (specs: Map<string, ObjectSpec>, name: string) => {
  const s = specs.get(name);
  if (!s) throw notFound(`No object named "${name}"`);
  return s;
};

const referencesTo = (specs: Map<string, ObjectSpec>, target: string, except?: string) =>
  [...specs.values()].flatMap((s) =>
    s.name === except ? [] : s.fields.filter((f) => f.type === 'relation' && f.target === target).map((f) => `${s.name}.${f.name}`),
  );

export function createObject(body: unknown): Mutator<string> {
  const spec = parseObjectInput(body);
  return (specs) => {
    if (specs.has(spec.name))
      throw conflict(`An object named "${spec.name}" already exists`, [
        { field: 'name', message: 'is already taken', keyword: 'taken', params: { name: spec.name } },
      ]);
    const { standard: _s, plugin: _p, ...rest } = spec;
    specs.set(spec.name, { ...rest, fields: rest.fields.map(({ standard: _x, sequence: _q, ...f }) => f) });
    return spec.name;
  };
}

const objectPatchKeys = ['label', 'plural_label', 'description', 'icon', 'display_field', 'display', 'indexes'] as const;
const clearableObjectKeys = ['plural_label', 'description', 'icon', 'display', 'indexes'] as const;

export function patchObject(name: string, body: unknown): Mutator<string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  const { field_order: order, ...patch } = body as Record<string, unknown>;
  const unknownKeys = Object.keys(patch).filter((k) => !(objectPatchKeys as readonly string[]).includes(k));
  if (unknownKeys.length) {
    throw validation(
      unknownKeys.map((k) => ({
        field: k,
        message: `cannot be changed here (changeable: ${objectPatchKeys.join(', ')}, field_order)`,
        keyword: 'immutable',
      })),
    );
  }
  return (specs) => {
    const spec = mustHave(specs, name);
    // null clears an optional setting: `display: null` goes back to naming records by
    // display_field, `plural_label: null` back to the label, description and icon to none.
    const cleared = clearableObjectKeys.filter((k) => patch[k] === null);
    const base = Object.fromEntries(Object.entries(spec).filter(([k]) => !(cleared as string[]).includes(k))) as ObjectSpec;
    const given = Object.fromEntries(Object.entries(patch).filter(([k]) => !(cleared as string[]).includes(k)));
    const next = parseObjectInput({ ...base, ...given });
    const fields = order === undefined ? spec.fields : reorderFields(spec.fields, order);
    const changed = Object.fromEntries(objectPatchKeys.filter((k) => k in patch && next[k] !== undefined).map((k) => [k, next[k]]));
    specs.set(name, { ...base, fields, ...changed });
    return name;
  };
}

// The field order of an ObjectSpec is the order of its fields: the studio's designer reorders
// them by sending every field name once (a permutation), so nothing is lost by a stale list.
function reorderFields(fields: FieldSpec[], order: unknown): FieldSpec[] {
  const names = fields.map((f) => f.name);
  const ok =
    Array.isArray(order) &&
    order.length === names.length &&
    new Set(order).size === order.length &&
    order.every((n) => typeof n === 'string' && names.includes(n));
  if (!ok) throw validation([{ field: 'field_order', message: `must list every field once: ${names.join(', ')}`, keyword: 'field_order' }]);
  return (order as string[]).map((n) => fields.find((f) => f.name === n)!);
}

export function deleteObject(name: string): Mutator<string> {
  return (specs) => {
    const spec = mustHave(specs, name);
    if (spec.standard) throw conflict(`"${name}" is a standard object and cannot be deleted`);
    if (spec.plugin) throw conflict(`"${name}" belongs to the plugin ${spec.plugin}; uninstall the plugin instead`);
    const refs = referencesTo(specs, name, name);
    if (refs.length)
      throw conflict(
        `"${name}" is still referenced by ${refs.join(', ')}`,
        refs.map((r) => ({ field: r, message: `relates to ${name}`, keyword: 'in_use' })),
      );
    specs.delete(name);
    return name;
  };
}

export function addField(object: string, body: unknown): Mutator<string> {
  const field = parseFieldInput(body);
  return (specs) => {
    const spec = mustHave(specs, object);
    if (spec.fields.some((f) => f.name === field.name)) {
      throw conflict(`${object} already has a field named "${field.name}"`, [
        { field: 'name', message: 'is already taken', keyword: 'taken', params: { name: field.name } },
      ]);
    }
    const { standard: _s, sequence: _q, plugin: _p, ...clean } = field;
    // A field added to an existing object joins the search only when asked: it rebuilds the
    // object's search index, minutes on a big table (bench/RESULTS.md), while the new column
    // itself is live at once.
    spec.fields.push(normalizeField(object, { ...clean, searchable: clean.searchable ?? false }));
    return field.name;
  };
}

export function patchField(object: string, fieldName: string, body: unknown): Mutator<string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  const patch = body as Record<string, unknown>;
  const fixed = Object.keys(patch).filter((k) => !(mutableFieldKeys as readonly string[]).includes(k));
  if (fixed.length) {
    throw validation(
      fixed.map((k) => ({
        field: k,
        message: ['name', 'type', 'target', 'inverse'].includes(k)
          ? `cannot be changed after creation (add a new field and move the data instead)`
          : 'is not a field setting',
        keyword: 'immutable',
      })),
    );
  }
  return (specs) => {
    const spec = mustHave(specs, object);
    const i = spec.fields.findIndex((f) => f.name === fieldName);
    if (i < 0) throw notFound(`${object} has no field named "${fieldName}"`);
    const merged: Record<string, unknown> = { ...spec.fields[i], ...patch };
    // A new formula may give another type: inferred again unless the patch says which.
    if (patch.formula !== undefined && patch.result_type === undefined) delete merged.result_type;
    for (const [k, v] of Object.entries(patch)) if (v === null) delete merged[k]; // null clears a setting
    spec.fields[i] = parseFieldInput(merged) as FieldSpec;
    return fieldName;
  };
}

export function deleteField(object: string, fieldName: string): Mutator<string> {
  return (specs) => {
    const spec = mustHave(specs, object);
    const field = spec.fields.find((f) => f.name === fieldName);
    if (!field) throw notFound(`${object} has no field named "${fieldName}"`);
    if (field.standard) throw conflict(`${object}.${fieldName} is a standard field and cannot be deleted`);
    if (field.plugin) throw conflict(`${object}.${fieldName} belongs to the plugin ${field.plugin}; uninstall the plugin instead`);
    if (spec.display_field === fieldName) {
      throw conflict(`${object}.${fieldName} is the display field; choose another display field first`, [
        { field: 'display_field', message: 'uses this field', keyword: 'in_use' },
      ]);
    }
    if (spec.display && displayFieldNames(spec).includes(fieldName)) {
      throw conflict(`${object}.${fieldName} is part of the display template; change the display first`, [
        { field: 'display', message: 'uses this field', keyword: 'in_use' },
      ]);
    }
    const readers = formulaReaders(spec, fieldName);
    if (readers.length) {
      throw conflict(
        `${object}.${fieldName} is read by the formula${readers.length > 1 ? 's' : ''} ${readers.join(', ')}; change or delete ${readers.length > 1 ? 'them' : 'it'} first`,
        readers.map((r) => ({ field: r, message: `its formula reads ${fieldName}`, keyword: 'formula' })),
      );
    }
    spec.fields = spec.fields.filter((f) => f.name !== fieldName);
    // Its column goes, and PostgreSQL drops the indexes on it: the spec forgets them too.
    if (spec.indexes) spec.indexes = spec.indexes.filter((ix) => !ix.fields.some((f) => f.replace(/^-/, '') === fieldName));
    return fieldName;
  };
}
