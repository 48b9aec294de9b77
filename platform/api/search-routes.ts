// Global search, recent items and the records assigned to the caller (the studio's top-bar
// search and home page): each answers only what the caller may read now.
import { Hono } from 'hono';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { RecordService } from '../records/index.ts';
import { assignedRecords, createRecentItems, parseLimit, parseQuery, searchAll, RECENT_KEPT } from '../search/index.ts';
import { onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

interface SearchRouteDeps {
  db: Database;
  registry: Registry;
  records: RecordService;
  bodyLimit: number;
  /** The time budget of one search (default 3 s). */
  searchBudgetMs?: number;
}

/** Hits per object: a few, as a jump list shows them. */
const SEARCH_LIMIT = { fallback: 5, max: 20 };
const ASSIGNED_LIMIT = { fallback: 10, max: 50 };

export function searchRoutes(deps: SearchRouteDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, ['q', 'limit']);
    const q = parseQuery(c.req.query('q'));
    const limit = parseLimit(c.req.query('limit'), SEARCH_LIMIT.fallback, SEARCH_LIMIT.max);
    return c.json(await searchAll({ ...deps, budgetMs: deps.searchBudgetMs }, c.get('actor'), q, limit));
  });
  return app;
}

export function recentItemRoutes(deps: SearchRouteDeps) {
  const recent = createRecentItems(deps);
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, ['limit']);
    const limit = parseLimit(c.req.query('limit'), 20, RECENT_KEPT);
    return c.json({ data: await recent.list(c.get('actor'), limit) });
  });
  app.post('/', async (c) => {
    onlyParams(c, []);
    await recent.record(await readJson(c, deps.bodyLimit), c.get('actor'));
    return c.body(null, 204);
  });
  return app;
}

export function assignedRoutes(deps: SearchRouteDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, ['limit']);
    const limit = parseLimit(c.req.query('limit'), ASSIGNED_LIMIT.fallback, ASSIGNED_LIMIT.max);
    return c.json({ data: await assignedRecords(deps, c.get('actor'), limit) });
  });
  return app;
}
