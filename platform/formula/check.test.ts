// What the checker refuses, and how it names the problem: token, position, keyword.
import { describe, expect, it } from 'vitest';
import { compileFormulas } from './compile.ts';
import { FORMULA_LIMITS, type FormulaFieldInfo } from './types.ts';

const FIELDS: FormulaFieldInfo[] = [
  { name: 'name', type: 'text' },
  { name: 'qty', type: 'integer' },
  { name: 'start', type: 'date' },
  { name: 'at', type: 'datetime' },
  { name: 'tags', type: 'tags' },
  { name: 'company', type: 'relation' },
];

const problemOf = (formula: string, more: FormulaFieldInfo[] = []) => {
  const r = compileFormulas([...FIELDS, ...more, { name: 'f', type: 'formula', formula }]);
  return r.problems.find((p) => p.field === 'f')?.problem;
};

describe('formula type check', () => {
  it.each([
    ['qty + nme', 'nme', 6, 'unknown_field', 'no field named "nme"'],
    ['frobnicate(qty)', 'frobnicate', 0, 'unknown_function', 'no function named "frobnicate"'],
    ["qty + 'a'", '+', 4, 'type', 'join text with concat()'],
    ['start + 1', '+', 6, 'type', 'add_days'],
    ["left(name, 'x')", "'x'", 11, 'type', 'argument 2 of left() must be number, not text'],
    ['round()', 'round', 0, 'arity', 'round() takes 1 to 2 arguments, not 0'],
    ['if(qty, 1, 2)', 'qty', 3, 'type', 'argument 1 of if() must be boolean, not number'],
    ["if(qty > 1, 1, 'x')", "'x'", 15, 'type', 'argument 3 of if() must be number like the arguments before it'],
    ['start < at', '<', 6, 'type', 'compares values of one type, not date and datetime'],
    ['qty and true', 'and', 4, 'type', 'joins conditions'],
    ['len(tags)', 'tags', 4, 'field_type', 'a tags field cannot be used in a formula'],
    ['company.name', 'company.name', 0, 'path_not_supported', 'cannot read through relations yet'],
    ['name.first', 'name.first', 0, 'path_not_supported', 'is not a relation field'],
    ['qty +', '', 5, 'syntax', 'Expected expression after +'],
    ['qty & 1', '& 1', 4, 'syntax', 'Unexpected "&"'],
    ['null', 'null', 0, 'no_type', 'always empty'],
    ['constructor(1)', 'constructor', 0, 'unknown_function', 'no function named "constructor"'],
    ['__proto__', '__proto__', 0, 'unknown_field', 'no field named'],
    ['"; drop table x; --', '', 19, 'syntax', 'Unclosed quote'],
    ['名前 + 1', '名前', 0, 'unknown_field', 'no field named "名前"'],
  ])('%s → %s at %i (%s)', (formula, token, position, keyword, message) => {
    const p = problemOf(formula);
    expect(p).toMatchObject({ token, position, keyword });
    expect(p!.message).toContain(message);
  });

  it('infers result types and whether a formula reads the clock', () => {
    const r = compileFormulas([
      ...FIELDS,
      { name: 'a', type: 'formula', formula: 'qty * 2' },
      { name: 'b', type: 'formula', formula: "concat(name, '様')" },
      { name: 'c', type: 'formula', formula: 'add_days(start, 1)' },
      { name: 'd', type: 'formula', formula: 'days_between(start, today())' },
      { name: 'e', type: 'formula', formula: 'd > 3' },
    ]);
    expect(r.problems).toEqual([]);
    expect(Object.fromEntries([...r.compiled].map(([n, c]) => [n, [c.type, c.volatile, c.reads]]))).toEqual({
      a: ['number', false, ['qty']],
      b: ['text', false, ['name']],
      c: ['date', false, ['start']],
      d: ['number', true, ['start']],
      e: ['boolean', true, ['d', 'start']],
    });
  });

  it('refuses formulas that read each other, naming the cycle', () => {
    const r = compileFormulas([
      ...FIELDS,
      { name: 'a', type: 'formula', formula: 'b + 1' },
      { name: 'b', type: 'formula', formula: 'qty + a' },
      { name: 'c', type: 'formula', formula: 'c' },
    ]);
    expect(r.problems.find((p) => p.field === 'a')?.problem).toMatchObject({
      token: 'a',
      keyword: 'cycle',
      message: expect.stringContaining('a → b → a'),
    });
    expect(r.problems.find((p) => p.field === 'c')?.problem).toMatchObject({ token: 'c', keyword: 'cycle' });
  });

  it('names the formula a field reads when that formula is broken', () => {
    const r = compileFormulas([...FIELDS, { name: 'a', type: 'formula', formula: 'nope' }, { name: 'b', type: 'formula', formula: 'a' }]);
    expect(r.problems.find((p) => p.field === 'b')?.problem).toMatchObject({ token: 'a', keyword: 'formula_invalid' });
  });

  it('enforces the published limits: length, nesting depth, formulas per object', () => {
    expect(problemOf('1 + '.repeat(FORMULA_LIMITS.length / 4) + '1')).toMatchObject({
      keyword: 'formula_too_long',
      position: FORMULA_LIMITS.length,
    });
    expect(problemOf('abs('.repeat(FORMULA_LIMITS.depth + 1) + '1' + ')'.repeat(FORMULA_LIMITS.depth + 1))).toMatchObject({
      keyword: 'too_deep',
    });
    expect(problemOf('abs('.repeat(FORMULA_LIMITS.depth - 1) + '1' + ')'.repeat(FORMULA_LIMITS.depth - 1))).toBeUndefined();
    const many = Array.from({ length: FORMULA_LIMITS.perObject + 1 }, (_, i) => ({ name: `f${i}`, type: 'formula', formula: 'qty' }));
    expect(compileFormulas([...FIELDS, ...many]).problems).toEqual([
      { field: `f${FORMULA_LIMITS.perObject}`, problem: expect.objectContaining({ keyword: 'too_many_formulas' }) },
    ]);
  });
});
