export * from './types.ts';
export { fractionDigitsOf, isCurrencyCode, moneyProblem, parseMoney, SIGN_CURRENCIES } from './currency.ts';
export {
  fieldTypes,
  fieldTypeCatalog,
  allOperators,
  parseAutonumberFormat,
  type FieldType,
  type FieldTypeInfo,
  type Operator,
  type ColumnRef,
  type ColumnSpec,
} from './field-types.ts';
export {
  checkSpecs,
  fieldSchema,
  mutableFieldKeys,
  normalizeField,
  normalizeSpec,
  parseFieldInput,
  parseObjectInput,
  renderObjectDef,
  specFromDef,
} from './define.ts';
export {
  compileField,
  compileModels,
  columnRef,
  fieldOf,
  indexNames,
  systemFields,
  type FieldModel,
  type InverseModel,
  type ObjectModel,
} from './compile.ts';
export { createAjv, definitionProblems, loadMetaSchema } from './ajv.ts';
export { physicalName } from './names.ts';
export { searchSql, SEARCH_COLUMN, fastNormDdl, queryGramsDdl, searchFunctionsDdl, searchGramsDdl } from './search.ts';
export { matchKeys, phoneKey, phoneKeyDdl, type MatchKey } from './match-keys.ts';
export { resolveOption } from './options.ts';
export { displayFieldNames, displayProblems, displayText } from './display.ts';
export { formulaReaders } from './formula-fields.ts';
