export { compileFilter, type FilterContext } from './filter.ts';
export { parseSort, type SortKey } from './sort.ts';
export { selectList, systemColumns } from './select.ts';
export { expandIncludes, listConditions, listParamNames, parseListParams, runList, INVERSE_INCLUDE_LIMIT, type ListParams, type ListQuery, type Page } from './list.ts';
