// The function table of the formula language: each entry says what it takes, what it gives
// and the SQL it compiles to — the same SQL on PostgreSQL and PGlite. Adding a function is
// adding an entry (and a line in compile.test.ts and docs/API.md).
import { sql, type SQL } from 'drizzle-orm';
import { asText, dateOf, intArg, utc } from './sql-text.ts';
import type { ValueType } from './types.ts';

/** A wrong argument: which one (0-based) and why. */
export interface ArgProblem {
  arg: number;
  message: string;
}

export interface FunctionSpec {
  /** Fewest and most arguments. */
  arity: [number, number];
  /** The result type for these argument types, or the argument that does not fit. */
  type(args: ValueType[]): ValueType | ArgProblem;
  sql(args: SQL[], types: ValueType[]): SQL;
  /** Reads the clock (today(), now()): evaluated when read, never stored. */
  volatile?: boolean;
  /** The signature as docs/API.md shows it. */
  signature: string;
}

const MANY = 255;
const isA = (t: ValueType, ...want: ValueType[]) => t === 'null' || want.includes(t);
const names = (want: ValueType[]) => want.join(' or ');

/** Every argument i must be of want[i] (or null); the result is `result`. */
const fixed =
  (want: ValueType[][], result: ValueType) =>
  (args: ValueType[]): ValueType | ArgProblem => {
    for (let i = 0; i < args.length; i++) {
      const w = want[Math.min(i, want.length - 1)];
      if (!isA(args[i], ...w)) return { arg: i, message: `must be ${names(w)}, not ${args[i]}` };
    }
    return result;
  };

/** All arguments of one type (nulls aside); the result has that type. */
export function commonType(args: ValueType[], allowed?: ValueType[]): ValueType | ArgProblem {
  let common: ValueType = 'null';
  for (let i = 0; i < args.length; i++) {
    const t = args[i];
    if (allowed && !isA(t, ...allowed)) return { arg: i, message: `must be ${names(allowed)}, not ${t}` };
    if (t === 'null') continue;
    if (common === 'null') common = t;
    else if (common !== t) return { arg: i, message: `must be ${common} like the arguments before it, not ${t}` };
  }
  return common;
}

const N: ValueType[] = ['number'];
const T: ValueType[] = ['text'];
const D: ValueType[] = ['date', 'datetime'];
const call = (name: string) => (a: SQL[]) => sql`${sql.raw(name)}(${sql.join(a, sql`, `)})`;
const ANY: ValueType[] = ['number', 'text', 'boolean', 'date', 'datetime'];

/** The date part of a date or datetime (in UTC). */
const part = (field: 'year' | 'month' | 'day') => (a: SQL[], t: ValueType[]) =>
  sql`extract(${sql.raw(field)} from ${t[0] === 'datetime' ? utc(a[0]) : a[0]})`;

/** date + interval is timestamp arithmetic (immutable); datetimes move on their UTC clock. */
function shift(a: SQL, t: ValueType, interval: SQL): SQL {
  return t === 'datetime' ? sql`timezone('UTC', ${utc(a)} + ${interval})` : sql`(${a} + ${interval})::date`;
}

export const functions: Record<string, FunctionSpec> = {
  if: {
    arity: [3, 3],
    type: (a) => {
      if (!isA(a[0], 'boolean')) return { arg: 0, message: `must be boolean, not ${a[0]}` };
      const r = commonType(a.slice(1));
      return typeof r === 'string' ? r : { arg: r.arg + 1, message: r.message };
    },
    sql: (a) => sql`(case when ${a[0]} then ${a[1]} else ${a[2]} end)`,
    signature: 'if(condition, then, else)',
  },
  case: {
    arity: [3, MANY],
    // case(value, match1, result1, match2, result2, …, [else]): an even count ends with the else.
    type: (a) => {
      const hasElse = a.length % 2 === 0;
      const pairs = Math.floor((a.length - 1) / 2);
      const matches = commonType([a[0], ...Array.from({ length: pairs }, (_, p) => a[1 + 2 * p])]);
      if (typeof matches !== 'string')
        return { arg: 0, message: `the value and what it is matched with must be of one type (${matches.message})` };
      const results = [...Array.from({ length: pairs }, (_, p) => a[2 + 2 * p]), ...(hasElse ? [a[a.length - 1]] : [])];
      const r = commonType(results);
      return typeof r === 'string' ? r : { arg: 2, message: `every result must be of one type (${r.message})` };
    },
    sql: (a) => {
      const pairs: SQL[] = [];
      for (let i = 1; i + 1 < a.length; i += 2) pairs.push(sql`when ${a[i]} then ${a[i + 1]}`);
      const otherwise = a.length % 2 === 0 ? sql` else ${a[a.length - 1]}` : sql``;
      return sql`(case ${a[0]} ${sql.join(pairs, sql` `)}${otherwise} end)`;
    },
    signature: 'case(value, match1, result1, …, [else])',
  },
  coalesce: { arity: [1, MANY], type: (a) => commonType(a), sql: call('coalesce'), signature: 'coalesce(value, …)' },
  is_blank: {
    arity: [1, 1],
    type: fixed([ANY], 'boolean'),
    sql: (a, t) => (t[0] === 'text' ? sql`(${a[0]} is null or btrim(${a[0]}) = '')` : sql`(${a[0]} is null)`),
    signature: 'is_blank(value) → boolean',
  },
  // Text
  concat: {
    arity: [1, MANY],
    type: fixed([ANY], 'text'),
    // concat() is STABLE in PostgreSQL (it formats any type): || over text is immutable.
    sql: (a, t) =>
      sql`(${sql.join(
        a.map((x, i) => sql`coalesce(${asText(x, t[i])}, '')`),
        sql` || `,
      )})`,
    signature: 'concat(value, …) → text',
  },
  text: { arity: [1, 1], type: fixed([ANY], 'text'), sql: (a, t) => asText(a[0], t[0]), signature: 'text(value) → text' },
  left: {
    arity: [2, 2],
    type: fixed([T, N], 'text'),
    sql: (a) => sql`left(${a[0]}, ${intArg(a[1], 1000000)})`,
    signature: 'left(text, n) → text',
  },
  right: {
    arity: [2, 2],
    type: fixed([T, N], 'text'),
    sql: (a) => sql`right(${a[0]}, ${intArg(a[1], 1000000)})`,
    signature: 'right(text, n) → text',
  },
  len: { arity: [1, 1], type: fixed([T], 'number'), sql: (a) => sql`(char_length(${a[0]})::numeric)`, signature: 'len(text) → number' },
  lower: { arity: [1, 1], type: fixed([T], 'text'), sql: call('lower'), signature: 'lower(text) → text' },
  upper: { arity: [1, 1], type: fixed([T], 'text'), sql: call('upper'), signature: 'upper(text) → text' },
  trim: { arity: [1, 1], type: fixed([T], 'text'), sql: call('btrim'), signature: 'trim(text) → text' },
  contains: {
    arity: [2, 2],
    type: fixed([T, T], 'boolean'),
    sql: (a) => sql`(strpos(${a[0]}, ${a[1]}) > 0)`,
    signature: 'contains(text, part) → boolean',
  },
  // Numbers
  round: {
    arity: [1, 2],
    type: fixed([N, N], 'number'),
    sql: (a) => sql`round(${a[0]}, ${a[1] ? intArg(a[1], 18) : sql`0`})`,
    signature: 'round(number, [digits]) → number',
  },
  floor: { arity: [1, 1], type: fixed([N], 'number'), sql: call('floor'), signature: 'floor(number) → number' },
  ceil: { arity: [1, 1], type: fixed([N], 'number'), sql: call('ceil'), signature: 'ceil(number) → number' },
  abs: { arity: [1, 1], type: fixed([N], 'number'), sql: call('abs'), signature: 'abs(number) → number' },
  min: {
    arity: [1, MANY],
    type: (a) => commonType(a, ['number', 'text', 'date', 'datetime']),
    sql: call('least'),
    signature: 'min(value, …)',
  },
  max: {
    arity: [1, MANY],
    type: (a) => commonType(a, ['number', 'text', 'date', 'datetime']),
    sql: call('greatest'),
    signature: 'max(value, …)',
  },
  // Dates
  today: {
    arity: [0, 0],
    type: () => 'date',
    sql: () => sql`(timezone('UTC', now()))::date`,
    volatile: true,
    signature: 'today() → date (UTC)',
  },
  now: { arity: [0, 0], type: () => 'datetime', sql: () => sql`now()`, volatile: true, signature: 'now() → datetime' },
  days_between: {
    arity: [2, 2],
    type: fixed([D, D], 'number'),
    sql: (a, t) => sql`((${dateOf(a[1], t[1])} - ${dateOf(a[0], t[0])})::numeric)`,
    signature: 'days_between(start, end) → number',
  },
  add_days: {
    arity: [2, 2],
    type: (a) => fixed([D, N], a[0] === 'datetime' ? 'datetime' : 'date')(a),
    sql: (a, t) => shift(a[0], t[0], sql`make_interval(days => ${intArg(a[1], 1000000)})`),
    signature: 'add_days(date, n) → date',
  },
  add_months: {
    arity: [2, 2],
    type: (a) => fixed([D, N], a[0] === 'datetime' ? 'datetime' : 'date')(a),
    sql: (a, t) => shift(a[0], t[0], sql`make_interval(months => ${intArg(a[1], 100000)})`),
    signature: 'add_months(date, n) → date',
  },
  year: { arity: [1, 1], type: fixed([D], 'number'), sql: part('year'), signature: 'year(date) → number' },
  month: { arity: [1, 1], type: fixed([D], 'number'), sql: part('month'), signature: 'month(date) → number' },
  day: { arity: [1, 1], type: fixed([D], 'number'), sql: part('day'), signature: 'day(date) → number' },
};
