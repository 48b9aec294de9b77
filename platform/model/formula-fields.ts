// Formula fields in the metadata language: what each object's formulas compile to, the field
// type each one gets from its result type (a stored generated column, or an expression read
// when the formula reads the clock), and the rules a spec's formulas must keep.
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { compileFormulas, type CompiledFormula, type FormulaFieldInfo } from '../formula/index.ts';
import type { FieldProblem } from '../problems/index.ts';
import { fieldTypes, type ColumnRef, type FieldType } from './field-types.ts';
import type { FieldSpec, ObjectSpec } from './types.ts';

/** System fields a formula may read (created_at is the usual one: days open). */
const SYSTEM_INFOS: FormulaFieldInfo[] = [
  { name: 'id', type: 'relation' },
  { name: 'created_at', type: 'datetime' },
  { name: 'updated_at', type: 'datetime' },
  { name: 'version', type: 'integer' },
  { name: 'created_by', type: 'user' },
  { name: 'updated_by', type: 'user' },
];

const infosOf = (spec: ObjectSpec): FormulaFieldInfo[] => [
  ...SYSTEM_INFOS,
  ...spec.fields.map((f) => ({ name: f.name, type: f.type, ...(f.formula !== undefined && { formula: f.formula }) })),
];

/** The object's formula fields compiled (each with its result type and storage), and their problems. */
export function objectFormulas(spec: ObjectSpec) {
  return spec.fields.some((f) => f.type === 'formula') ? compileFormulas(infosOf(spec)) : { compiled: new Map(), problems: [] };
}

const dialect = new PgDialect();

/**
 * A generated column's definition as text: DDL takes no bind parameters, so the compiler
 * inlines its constants (escaped) and a parameter here would be a bug, not a value.
 */
function generatedColumnType(c: CompiledFormula): string {
  const q = dialect.sqlToQuery(c.sql((name) => sql`${sql.identifier(name)}`));
  if (q.params.length) throw new Error('a generated column expression must not have parameters');
  return `${c.columnType} generated always as (${q.sql}) stored`;
}

/**
 * The field type of one compiled formula: its result type's reads, keys, filters and sorts,
 * never written. Stored as a generated column unless it reads the clock; then its "column" is
 * the expression itself over the row (col() below), computed in every query that reads it.
 */
export function formulaFieldType(c: CompiledFormula): FieldType {
  const base = fieldTypes[c.type];
  return {
    ...base,
    columns: (f) => (c.volatile ? [] : [{ name: f.name, type: generatedColumnType(c), generated: true }]),
    schema: (f) => fieldTypes.formula.schema(f),
    readOnly: true,
    canBeUnique: false,
    canBeSearchable: false,
  };
}

/** A read-time formula's value on a table alias, in place of a column. */
export const formulaExpression =
  (c: CompiledFormula, column: (alias: string, name: string) => SQL) =>
  (alias: string): ColumnRef =>
  () =>
    c.sql((name) => column(alias, name));

/** What the metadata checks say about an object's formulas: the compiler's problems and the storage rules. */
export function formulaProblems(spec: ObjectSpec): FieldProblem[] {
  const { compiled, problems } = objectFormulas(spec);
  const at = (name: string) => `fields.${spec.fields.findIndex((f) => f.name === name)}`;
  const out: FieldProblem[] = problems.map(({ field, problem }) => ({
    field: `${at(field)}.formula`,
    message: problem.token ? `"${problem.token}" (at ${problem.position}): ${problem.message}` : problem.message,
    keyword: problem.keyword,
    token: problem.token,
    position: problem.position,
  }));
  for (const f of spec.fields) {
    const c = compiled.get(f.name);
    if (f.type !== 'formula' || !c) continue;
    if (f.result_type && f.result_type !== c.type)
      out.push({
        field: `${at(f.name)}.result_type`,
        message: `the formula gives ${c.type}, not ${f.result_type}`,
        keyword: 'result_type',
      });
    if (c.volatile && f.indexed)
      out.push({
        field: `${at(f.name)}.indexed`,
        message: `${f.name} reads today() or now() (itself or through a formula it reads): it is computed when read and cannot be indexed`,
        keyword: 'volatile',
      });
  }
  (spec.indexes ?? []).forEach((ix, i) =>
    ix.fields.forEach((n, j) => {
      const c = compiled.get(n.replace(/^-/, ''));
      if (c?.volatile)
        out.push({
          field: `indexes[${i}].fields[${j}]`,
          message: 'a formula that reads today() or now() cannot be indexed',
          keyword: 'volatile',
        });
    }),
  );
  return out;
}

/** The formula fields that read `field` (directly or through another formula). */
export function formulaReaders(spec: ObjectSpec, field: string): string[] {
  return [...objectFormulas(spec).compiled].filter(([, c]) => c.reads.includes(field)).map(([n]) => n);
}

/** A formula field's spec with its inferred result type filled in. */
export function withResultTypes(spec: ObjectSpec): FieldSpec[] {
  const { compiled } = objectFormulas(spec);
  return spec.fields.map((f) => {
    const c = f.type === 'formula' && !f.result_type ? compiled.get(f.name) : undefined;
    return c ? { ...f, result_type: c.type } : f;
  });
}
