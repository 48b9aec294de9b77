// Formula text → syntax tree. jsep (a small, well-kept expression parser) reads the text with
// the operators of our language only; a hook records where each identifier and literal starts
// so a problem names its token and position. jsep's operator table is process-wide: this
// module is its only user and sets it once.
import jsep from 'jsep';
import { FORMULA_LIMITS, formulaError, FormulaError, type Node, type Token } from './types.ts';

type Expr = jsep.Expression & { position?: number };
type Scope = jsep.HookScope & { gobbleTokenProperty(node: jsep.Expression): jsep.Expression };
// Character classes jsep uses itself (present at run time, missing from its typings).
const chars = jsep as unknown as { isIdentifierStart(code: number): boolean; isDecimalDigit(code: number): boolean };

// JavaScript's bitwise, identity and power operators mean nothing here: left out, so `a & b`
// is a syntax error rather than a surprise.
for (const op of ['|', '^', '&', '<<', '>>', '>>>', '===', '!==', '**', '??']) jsep.removeBinaryOp(op);
jsep.removeUnaryOp('~');
jsep.removeUnaryOp('+');
// Spreadsheet and SQL spellings alongside the JavaScript ones.
jsep.addBinaryOp('=', 6);
jsep.addBinaryOp('<>', 6);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('or', 1);
jsep.addUnaryOp('not');

const isWordOperator = (name: string) => name in jsep.unary_ops || name in jsep.binary_ops || name in jsep.literals || name === 'this';

jsep.hooks.add('gobble-token', function (this: jsep.HookScope, env: { node?: jsep.Expression }) {
  const self = this as Scope;
  const start = self.index;
  const code = self.code;
  if (chars.isIdentifierStart(code)) {
    const id = self.gobbleIdentifier() as Expr & { name: string };
    if (isWordOperator(id.name)) {
      self.index = start; // not ours: jsep reads operators and literals itself
      return;
    }
    id.position = start;
    env.node = self.gobbleTokenProperty(id);
  } else if (code === 39 || code === 34) {
    const s = self.gobbleStringLiteral() as Expr;
    s.position = start;
    env.node = s;
  } else if (chars.isDecimalDigit(code) || code === 46) {
    const n = self.gobbleNumericLiteral() as Expr;
    n.position = start;
    env.node = n;
  }
});

/** Parses formula text; throws FormulaError naming the token and position of the first problem. */
export function parseFormula(text: string): Node {
  if (text.length > FORMULA_LIMITS.length)
    throw formulaError(
      { token: text.slice(FORMULA_LIMITS.length, FORMULA_LIMITS.length + 10), position: FORMULA_LIMITS.length },
      'formula_too_long',
      `a formula is at most ${FORMULA_LIMITS.length} characters`,
    );
  if (text.trim() === '') throw formulaError({ token: '', position: 0 }, 'formula_empty', 'the formula is empty');
  let tree: jsep.Expression;
  try {
    tree = jsep(text);
  } catch (e) {
    const { index, description } = e as { index?: number; description?: string };
    const position = index ?? 0;
    throw formulaError({ token: text.slice(position, position + 10), position }, 'syntax', description ?? String(e));
  }
  return toNode(tree as Expr, text, 1);
}

function toNode(e: Expr, text: string, depth: number): Node {
  const at = (token: string, position = e.position ?? 0): Token => ({ token, position });
  if (depth > FORMULA_LIMITS.depth)
    throw formulaError(
      at(text.slice(e.position ?? 0, (e.position ?? 0) + 10)),
      'too_deep',
      `formulas nest at most ${FORMULA_LIMITS.depth} deep`,
    );
  const child = (c: jsep.Expression) => toNode(c as Expr, text, depth + 1);
  switch (e.type) {
    case 'Literal': {
      const lit = e as jsep.Literal & Expr;
      if (typeof lit.value === 'number') {
        if (!Number.isFinite(lit.value)) throw formulaError(at(lit.raw), 'number_range', 'the number is too large');
        return { kind: 'number', value: lit.value, raw: lit.raw, ...at(lit.raw) };
      }
      if (typeof lit.value === 'string') {
        // PostgreSQL text cannot hold NUL: refused here, not at the first write.
        if (lit.value.includes('\u0000')) throw formulaError(at(lit.raw), 'nul_character', 'text must not contain NUL characters');
        return { kind: 'text', value: lit.value, ...at(lit.raw) };
      }
      if (typeof lit.value === 'boolean') return { kind: 'boolean', value: lit.value, ...at(lit.raw, literalPosition(text, lit.raw)) };
      if (lit.value === null) return { kind: 'null', ...at('null', literalPosition(text, 'null')) };
      throw formulaError(at(lit.raw), 'syntax', `"${lit.raw}" is not a value of the formula language`);
    }
    case 'Identifier':
      return { kind: 'field', path: [(e as jsep.Identifier).name], ...at((e as jsep.Identifier).name) };
    case 'MemberExpression': {
      const path = memberPath(e as jsep.MemberExpression);
      if (!path)
        throw formulaError(at(text.slice(e.position ?? 0, (e.position ?? 0) + 10)), 'syntax', 'a path is field names joined by dots');
      return { kind: 'field', path, ...at(path.join('.'), rootPosition(e)) };
    }
    case 'CallExpression': {
      const call = e as jsep.CallExpression;
      if (call.callee.type !== 'Identifier')
        throw formulaError(at('(', rootPosition(e)), 'syntax', 'only functions of the formula language can be called');
      const name = (call.callee as jsep.Identifier).name;
      return { kind: 'call', name, args: call.arguments.map(child), ...at(name, rootPosition(e)) };
    }
    case 'UnaryExpression': {
      const u = e as jsep.UnaryExpression;
      const arg = child(u.argument);
      return { kind: 'unary', op: u.operator, arg, ...at(u.operator, Math.max(0, text.lastIndexOf(u.operator, arg.position))) };
    }
    case 'BinaryExpression': {
      const b = e as jsep.BinaryExpression;
      const left = child(b.left);
      const right = child(b.right);
      const opAt = text.lastIndexOf(b.operator, right.position);
      return { kind: 'binary', op: b.operator, left, right, ...at(b.operator, opAt < 0 ? left.position : opAt) };
    }
    case 'ConditionalExpression': {
      const c = e as jsep.ConditionalExpression;
      const test = child(c.test);
      return { kind: 'if', test, then: child(c.consequent), else: child(c.alternate), ...at('?', text.indexOf('?', test.position)) };
    }
    default:
      throw formulaError(
        at(text.slice(rootPosition(e), rootPosition(e) + 10)),
        'syntax',
        e.type === 'Compound' ? 'a formula is one expression' : `${e.type} is not part of the formula language`,
      );
  }
}

/** `company.name` → ['company', 'name']; anything computed (`a[0]`, `f().x`) is not a path. */
function memberPath(e: jsep.Expression): string[] | undefined {
  if (e.type === 'Identifier') return [(e as jsep.Identifier).name];
  if (e.type !== 'MemberExpression') return undefined;
  const m = e as jsep.MemberExpression;
  if (m.computed || m.optional || m.property.type !== 'Identifier') return undefined;
  const head = memberPath(m.object);
  return head && [...head, (m.property as jsep.Identifier).name];
}

const rootPosition = (e: jsep.Expression): number => {
  let n: jsep.Expression = e;
  while (n.type === 'MemberExpression' || n.type === 'CallExpression')
    n = n.type === 'CallExpression' ? (n as jsep.CallExpression).callee : (n as jsep.MemberExpression).object;
  return (n as Expr).position ?? 0;
};

// jsep turns true/false/null into literals before our hook sees them: found again by their text.
const literalPosition = (text: string, word: string) => Math.max(0, text.search(new RegExp(`\\b${word}\\b`)));

export { FormulaError };
