export { searchAll, type SearchDeps, type SearchGroup, type SearchRecord, type SearchResult } from './global.ts';
export { createRecentItems, RECENT_KEPT, type RecentItem, type RecentItems } from './recent.ts';
export { assignedRecords, type AssignedGroup, type AssignedRecord } from './assigned.ts';
export { parseLimit, parseQuery, MAX_QUERY } from './limits.ts';
export { enqueueSearchRefresh, registerSearchRefresh, SEARCH_REFRESH_JOB } from './refresh.ts';
