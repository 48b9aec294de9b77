// Syntax tree → typed tree: every node gets its type, whether it reads the clock, and an
// emitter of its SQL over the record's columns. Problems name their token (unknown field,
// wrong type, a cycle between formulas).
import { sql, type SQL } from 'drizzle-orm';
import { commonType, functions } from './functions.ts';
import { parseFormula } from './parse.ts';
import { numberLiteral, textLiteral } from './sql-text.ts';
import { FORMULA_LIMITS, formulaError, FormulaError, type FormulaFieldInfo, type Node, type ValueType } from './types.ts';

/** How a column is reached: a bare name in a generated column, alias.name in a query. */
export type ColumnOf = (name: string) => SQL;

export interface Typed {
  type: ValueType;
  /** Reads today() or now(): cannot be stored, evaluated when read. */
  volatile: boolean;
  /** The record's own fields it reads: formulas it reads, and the fields those read. */
  reads: Set<string>;
  emit(column: ColumnOf): SQL;
}

/** What each field type is to a formula; a type missing here cannot be used (lists, json). */
const FIELD_VALUE: Record<string, ValueType> = {
  text: 'text',
  long_text: 'text',
  email: 'text',
  phone: 'text',
  url: 'text',
  select: 'text',
  country: 'text',
  autonumber: 'text',
  relation: 'text',
  user: 'text',
  integer: 'number',
  number: 'number',
  percent: 'number',
  currency: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

/** Fields read as text of their uuid; numbers computed as numeric (exact; integer / integer would truncate). */
const emitColumn = (type: string, name: string) => (column: ColumnOf) =>
  FIELD_VALUE[type] === 'number'
    ? sql`(${column(name)}::numeric)`
    : type === 'relation' || type === 'user'
      ? sql`(${column(name)}::text)`
      : column(name);

export interface CheckScope {
  fields: Map<string, FormulaFieldInfo>;
  /** Formula fields being checked, outermost first: a field met again is a cycle. */
  visiting: string[];
  /** Typed trees of formula fields already checked (each formula checked once per scope). */
  done: Map<string, Typed>;
}

export function newScope(fields: Iterable<FormulaFieldInfo>): CheckScope {
  return { fields: new Map([...fields].map((f) => [f.name, f])), visiting: [], done: new Map() };
}

/** The typed tree of a formula field, checking formulas it reads first; cycles are problems. */
export function checkFormulaField(name: string, scope: CheckScope): Typed {
  const known = scope.done.get(name);
  if (known) return known;
  const f = scope.fields.get(name)!;
  scope.visiting.push(name);
  try {
    const typed = checkNode(parseFormula(f.formula ?? ''), scope);
    if (typed.type === 'null') throw formulaError({ token: f.formula ?? '', position: 0 }, 'no_type', 'the formula is always empty (null)');
    scope.done.set(name, typed);
    return typed;
  } finally {
    scope.visiting.pop();
  }
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const COMPARISON: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '<>': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const LOGICAL: Record<string, string> = { and: 'and', '&&': 'and', or: 'or', '||': 'or' };

const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));
const leaf = (type: ValueType, s: SQL): Typed => ({ type, volatile: false, reads: new Set(), emit: () => s });

export function checkNode(n: Node, scope: CheckScope): Typed {
  switch (n.kind) {
    case 'number':
      return leaf('number', numberLiteral(n.value));
    case 'text':
      return leaf('text', textLiteral(n.value));
    case 'boolean':
      return leaf('boolean', sql.raw(n.value ? 'true' : 'false'));
    case 'null':
      return leaf('null', sql`null`);
    case 'field':
      return checkField(n, scope);
    case 'unary': {
      const arg = checkNode(n.arg, scope);
      const want: ValueType = n.op === '-' ? 'number' : 'boolean';
      if (arg.type !== want && arg.type !== 'null') throw formulaError(n, 'type', `"${n.op}" needs a ${want}, not ${arg.type}`);
      const op = sql.raw(n.op === '-' ? '-' : 'not ');
      return { ...arg, type: want, emit: (c) => sql`(${op}${arg.emit(c)})` };
    }
    case 'binary':
      return checkBinary(n as Extract<Node, { kind: 'binary' }>, scope);
    case 'if':
      return checkCall({ kind: 'call', name: 'if', args: [n.test, n.then, n.else], token: n.token, position: n.position }, scope);
    case 'call':
      return checkCall(n, scope);
  }
}

function checkField(n: Extract<Node, { kind: 'field' }>, scope: CheckScope): Typed {
  if (n.path.length > 1) {
    const head = scope.fields.get(n.path[0]);
    throw formulaError(
      n,
      n.path.length > FORMULA_LIMITS.pathDepth + 1 ? 'path_too_deep' : 'path_not_supported',
      head && head.type === 'relation'
        ? `formulas cannot read through relations yet ("${n.token}"); only the record's own fields`
        : `"${n.path[0]}" is not a relation field of this object, so "${n.token}" names nothing`,
    );
  }
  const name = n.path[0];
  const f = scope.fields.get(name);
  if (!f) throw formulaError(n, 'unknown_field', `no field named "${name}"`);
  if (f.type === 'formula') {
    if (scope.visiting.includes(name)) {
      const loop = [...scope.visiting.slice(scope.visiting.indexOf(name)), name].join(' → ');
      throw formulaError(n, 'cycle', `formulas read each other in a cycle: ${loop}`);
    }
    let inner: Typed;
    try {
      inner = checkFormulaField(name, scope);
    } catch (e) {
      if (e instanceof FormulaError && e.problem.keyword !== 'cycle')
        throw formulaError(n, 'formula_invalid', `the formula of "${name}" has a problem: ${e.problem.message}`);
      throw e;
    }
    // A generated column cannot read another generated column: the formula it reads is inlined.
    return { ...inner, reads: union(inner.reads, new Set([name])) };
  }
  const type = FIELD_VALUE[f.type];
  if (!type) throw formulaError(n, 'field_type', `a ${f.type} field cannot be used in a formula`);
  return { type, volatile: false, reads: new Set([name]), emit: emitColumn(f.type, name) };
}

function checkBinary(n: Extract<Node, { kind: 'binary' }>, scope: CheckScope): Typed {
  const l = checkNode(n.left, scope);
  const r = checkNode(n.right, scope);
  const base = { volatile: l.volatile || r.volatile, reads: union(l.reads, r.reads) };
  const fits = (t: ValueType, want: ValueType) => t === want || t === 'null';
  if (ARITHMETIC.has(n.op)) {
    if (!fits(l.type, 'number') || !fits(r.type, 'number')) {
      const hint =
        l.type === 'text' || r.type === 'text'
          ? ': join text with concat()'
          : ['date', 'datetime'].includes(l.type) || ['date', 'datetime'].includes(r.type)
            ? ': use add_days(), add_months() or days_between()'
            : '';
      throw formulaError(n, 'type', `"${n.op}" works on numbers, not ${l.type} and ${r.type}${hint}`);
    }
    // Division by zero is empty (null), not an error that would refuse the record's write.
    const emit =
      n.op === '/'
        ? (c: ColumnOf) => sql`(${l.emit(c)} / nullif(${r.emit(c)}, 0))`
        : n.op === '%'
          ? (c: ColumnOf) => sql`mod(${l.emit(c)}, nullif(${r.emit(c)}, 0))`
          : (c: ColumnOf) => sql`(${l.emit(c)} ${sql.raw(n.op)} ${r.emit(c)})`;
    return { ...base, type: 'number', emit };
  }
  if (n.op in COMPARISON) {
    const t = commonType([l.type, r.type]);
    if (typeof t !== 'string') throw formulaError(n, 'type', `"${n.op}" compares values of one type, not ${l.type} and ${r.type}`);
    return { ...base, type: 'boolean', emit: (c) => sql`(${l.emit(c)} ${sql.raw(COMPARISON[n.op])} ${r.emit(c)})` };
  }
  if (n.op in LOGICAL) {
    if (!fits(l.type, 'boolean') || !fits(r.type, 'boolean'))
      throw formulaError(n, 'type', `"${n.op}" joins conditions (boolean), not ${l.type} and ${r.type}`);
    return { ...base, type: 'boolean', emit: (c) => sql`(${l.emit(c)} ${sql.raw(LOGICAL[n.op])} ${r.emit(c)})` };
  }
  throw formulaError(n, 'syntax', `"${n.op}" is not an operator of the formula language`);
}

function checkCall(n: Extract<Node, { kind: 'call' }>, scope: CheckScope): Typed {
  const fn = Object.hasOwn(functions, n.name) ? functions[n.name] : undefined;
  if (!fn) throw formulaError(n, 'unknown_function', `no function named "${n.name}"`);
  const [min, max] = fn.arity;
  if (n.args.length < min || n.args.length > max) {
    const want = min === max ? `${min}` : max > 100 ? `at least ${min}` : `${min} to ${max}`;
    throw formulaError(n, 'arity', `${n.name}() takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, not ${n.args.length}`);
  }
  const args = n.args.map((a) => checkNode(a, scope));
  const types = args.map((a) => a.type);
  const result = fn.type(types);
  if (typeof result !== 'string') {
    const arg = n.args[result.arg] ?? n;
    throw formulaError(arg, 'type', `argument ${result.arg + 1} of ${n.name}() ${result.message}`);
  }
  return {
    type: result,
    volatile: !!fn.volatile || args.some((a) => a.volatile),
    reads: union(...args.map((a) => a.reads)),
    emit: (c) =>
      fn.sql(
        args.map((a) => a.emit(c)),
        types,
      ),
  };
}
