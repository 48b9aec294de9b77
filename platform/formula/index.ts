export { compileFormulas, RESULT_COLUMN_TYPES, type CompiledFormula, type FormulaFieldProblem, type ResultType } from './compile.ts';
export { functions, type FunctionSpec } from './functions.ts';
export { parseFormula } from './parse.ts';
export { textLiteral } from './sql-text.ts';
export { FORMULA_LIMITS, FormulaError, type FormulaFieldInfo, type FormulaProblem, type Node, type ValueType } from './types.ts';
export type { ColumnOf } from './check.ts';
