// Formula fields of one object → SQL expressions over the record's columns, with their result
// types and whether they can be stored (a generated column) or must be evaluated when read.
import { sql, type SQL } from 'drizzle-orm';
import { checkFormulaField, newScope, type ColumnOf } from './check.ts';
import { FORMULA_LIMITS, FormulaError, type FormulaFieldInfo, type FormulaProblem, type ValueType } from './types.ts';

export type ResultType = Exclude<ValueType, 'null'>;

export interface CompiledFormula {
  /** The inferred type of the value (stored as the field's result_type). */
  type: ResultType;
  /** Reads today() or now(): evaluated in the select list when read, cannot be indexed. */
  volatile: boolean;
  /** The record's own fields it reads (formulas it reads expanded). */
  reads: string[];
  /** The value over the record's columns, of columnType. */
  sql(column: ColumnOf): SQL;
  /** The SQL type of the value (a constant of this module). */
  columnType: string;
}

/** The column type of each result type: a number is stored as the number field type is. */
export const RESULT_COLUMN_TYPES: Record<ResultType, string> = {
  number: 'double precision',
  text: 'text',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz(3)',
};

/**
 * Numbers are computed as numeric (exact) and kept as double precision like number fields; a
 * result past double precision's range (1e300 × 1e300) is empty rather than a failed write.
 */
const finalValue = (type: ResultType, e: SQL): SQL =>
  type === 'number' ? sql`(case when abs(${e}) <= 1e300 then (${e})::double precision end)` : e;

export interface FormulaFieldProblem {
  field: string;
  problem: FormulaProblem;
}

/**
 * Compiles every formula field among `fields` (the object's fields and system fields). Each
 * formula is checked once; problems are collected per field rather than stopping at the first.
 */
export function compileFormulas(fields: FormulaFieldInfo[]): { compiled: Map<string, CompiledFormula>; problems: FormulaFieldProblem[] } {
  const scope = newScope(fields);
  const compiled = new Map<string, CompiledFormula>();
  const problems: FormulaFieldProblem[] = [];
  const formulas = fields.filter((f) => f.type === 'formula');
  if (formulas.length > FORMULA_LIMITS.perObject) {
    const f = formulas[FORMULA_LIMITS.perObject];
    problems.push({
      field: f.name,
      problem: {
        token: f.name,
        position: 0,
        keyword: 'too_many_formulas',
        message: `an object has at most ${FORMULA_LIMITS.perObject} formula fields`,
      },
    });
  }
  for (const f of formulas) {
    try {
      const typed = checkFormulaField(f.name, scope);
      const type = typed.type as ResultType;
      compiled.set(f.name, {
        type,
        volatile: typed.volatile,
        reads: [...typed.reads].sort(),
        sql: (column) => finalValue(type, typed.emit(column)),
        columnType: RESULT_COLUMN_TYPES[type],
      });
    } catch (e) {
      if (!(e instanceof FormulaError)) throw e;
      problems.push({ field: f.name, problem: e.problem });
    }
  }
  return { compiled, problems };
}
