export { compileFilter, type FilterContext } from './filter.ts';
export { parseSort, type SortKey } from './sort.ts';
export { selectList, systemColumns } from './select.ts';
export {
  expandIncludes,
  listConditions,
  listParamNames,
  parseListParams,
  runList,
  INVERSE_INCLUDE_LIMIT,
  type ListParams,
  type ListQuery,
  type Page,
} from './list.ts';
export { accessFor, assertObject, assertReadableField, fieldLevel, readableFields, scopeSql, type QueryAccess } from './access.ts';
export { policyCompiler, scopeFilterCheck } from './filter.ts';
export { accessSummary, snapshotFor, type AccessSummary } from './caller-metadata.ts';
export { searchObject, SEARCH_CANDIDATES, type SearchHit, type SearchRank } from './search.ts';
