// The compiled form of the metadata that every layer above works from: tables, columns,
// inverse relations and derived names, built once per metadata version.
import { sql, type SQL } from 'drizzle-orm';
import { fieldTypes, type ColumnRef, type FieldType } from './field-types.ts';
import { renderObjectDef } from './define.ts';
import { physicalName } from './names.ts';
import { formulaExpression, formulaFieldType, objectFormulas } from './formula-fields.ts';
import type { FieldSpec, ObjectDef, ObjectSpec } from './types.ts';

export interface FieldModel {
  name: string;
  spec: FieldSpec;
  type: FieldType;
  /** A formula field: the fields its value is computed from (formulas it reads, and theirs). */
  reads?: string[];
  /** The field's column(s) on a table alias. */
  col(alias: string): ColumnRef;
}

export interface InverseModel {
  /** The name of the one-to-many list on this object (e.g. company.contacts). */
  name: string;
  /** The object holding the relation field (contact) and that field (company). */
  object: string;
  field: string;
}

export interface ObjectModel {
  name: string;
  spec: ObjectSpec;
  def: ObjectDef;
  version: number;
  table: string;
  fields: Map<string, FieldModel>;
  fieldList: FieldModel[];
  searchFields: FieldModel[];
  inverses: Map<string, InverseModel>;
  /** Unique index name → field, to name the field when a write hits it. */
  constraintFields: Map<string, string>;
}

export const columnRef = (alias: string, column: string): SQL => sql`${sql.identifier(alias)}.${sql.identifier(column)}`;

export function compileField(spec: FieldSpec): FieldModel {
  return {
    name: spec.name,
    spec,
    type: fieldTypes[spec.type],
    col: (alias) => (companion) => columnRef(alias, companion ? `${spec.name}__${companion}` : spec.name),
  };
}

export const indexNames = {
  unique: (table: string, field: string) => physicalName([table, field], 'key'),
  btree: (table: string, field: string) => physicalName([table, field], 'idx'),
  foreignKey: (table: string, field: string) => physicalName([table, field], 'fkey'),
  search: (table: string) => physicalName([table], 'search_idx'),
  /** An email field's match key, lower(btrim(email)): upserts and duplicate checks look records up by it. */
  emailKey: (table: string, field: string) => physicalName([table, field], 'lower_idx'),
  /** A phone field's match key, kizuna_phone_key(phone) (model/match-keys.ts). */
  phoneKey: (table: string, field: string) => physicalName([table, field], 'phone_key_idx'),
};

export function compileModels(specs: ObjectSpec[], versions: Map<string, number>): Map<string, ObjectModel> {
  const models = new Map<string, ObjectModel>();
  for (const spec of specs) {
    const version = versions.get(spec.name) ?? 1;
    const formulas = objectFormulas(spec).compiled;
    const fieldList = spec.fields.map((f) => {
      const c = formulas.get(f.name);
      if (!c) return compileField(f);
      // A formula over the row is a generated column, read like any column; one that reads the
      // clock has no column: wherever a query names it, it names the expression.
      return {
        ...compileField(f),
        type: formulaFieldType(c),
        reads: c.reads,
        ...(c.volatile && { col: formulaExpression(c, columnRef) }),
      };
    });
    const constraintFields = new Map<string, string>();
    for (const f of spec.fields) {
      if (f.unique) constraintFields.set(indexNames.unique(spec.name, f.name), f.name);
      if (f.type === 'relation' || f.type === 'user') constraintFields.set(indexNames.foreignKey(spec.name, f.name), f.name);
    }
    models.set(spec.name, {
      name: spec.name,
      spec,
      def: renderObjectDef(spec, version),
      version,
      table: spec.name,
      fields: new Map(fieldList.map((f) => [f.name, f])),
      fieldList,
      searchFields: fieldList.filter((f) => f.spec.searchable),
      inverses: new Map(),
      constraintFields,
    });
  }
  for (const spec of specs) {
    for (const f of spec.fields) {
      if (f.type === 'relation' && f.inverse && f.target) {
        models.get(f.target)?.inverses.set(f.inverse, { name: f.inverse, object: spec.name, field: f.name });
      }
    }
  }
  return models;
}

/** System fields as field models, so filters and sorts treat them like any other field. */
export const systemFields: Map<string, FieldModel> = new Map(
  (
    [
      { name: 'id', type: 'relation', label: { en: 'ID', ja: 'ID' }, target: '' },
      { name: 'created_at', type: 'datetime', label: { en: 'Created at', ja: '作成日時' } },
      { name: 'updated_at', type: 'datetime', label: { en: 'Updated at', ja: '更新日時' } },
      { name: 'version', type: 'integer', label: { en: 'Version', ja: 'バージョン' } },
      { name: 'created_by', type: 'user', label: { en: 'Created by', ja: '作成者' } },
      { name: 'updated_by', type: 'user', label: { en: 'Updated by', ja: '更新者' } },
    ] as FieldSpec[]
  ).map((s) => [s.name, compileField(s)]),
);

/** A field of the object or one of its system fields. */
export const fieldOf = (model: ObjectModel, name: string): FieldModel | undefined => model.fields.get(name) ?? systemFields.get(name);
