// The formula language's vocabulary: value types, the syntax tree, and the problems a formula
// can have. Kept free of platform/model so the model can compile formulas without a cycle.

/** The types a formula expression has (docs/API.md, "Formula fields"). `null` is the bare null literal. */
export type ValueType = 'number' | 'text' | 'boolean' | 'date' | 'datetime' | 'null';

/** Where in the formula a node starts, and the text it names a problem by. */
export interface Token {
  position: number;
  token: string;
}

export type Node =
  | ({ kind: 'number'; value: number; raw: string } & Token)
  | ({ kind: 'text'; value: string } & Token)
  | ({ kind: 'boolean'; value: boolean } & Token)
  | ({ kind: 'null' } & Token)
  | ({ kind: 'field'; path: string[] } & Token)
  | ({ kind: 'call'; name: string; args: Node[] } & Token)
  | ({ kind: 'unary'; op: string; arg: Node } & Token)
  | ({ kind: 'binary'; op: string; left: Node; right: Node } & Token)
  | ({ kind: 'if'; test: Node; then: Node; else: Node } & Token);

/** A problem with a formula: the token and position it is about, a stable keyword and a sentence. */
export interface FormulaProblem {
  token: string;
  position: number;
  keyword: string;
  message: string;
}

export class FormulaError extends Error {
  constructor(readonly problem: FormulaProblem) {
    super(problem.message);
    this.name = 'FormulaError';
  }
}

export const formulaError = (at: Token, keyword: string, message: string) =>
  new FormulaError({ token: at.token, position: at.position, keyword, message });

/** Published limits (docs/API.md); the checker and the metadata checks enforce them. */
export const FORMULA_LIMITS = {
  /** Characters of formula text. */
  length: 2000,
  /** Depth of nested operators and calls, counting formulas a formula reads. */
  depth: 32,
  /** Formula fields on one object. */
  perObject: 50,
  /** Relation hops in a path such as contact.company.industry (when paths are supported). */
  pathDepth: 3,
} as const;

/** A field as the formula language sees it: its name, its field type and, for a formula, its text. */
export interface FormulaFieldInfo {
  name: string;
  /** The metadata field type name (text, integer, currency, formula, …). */
  type: string;
  formula?: string;
}
