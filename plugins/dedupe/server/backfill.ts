// Keeps every record's dedupe_keys current: records written before the plugin was installed (or
// while it was disabled), and all of them after the rules change, lack the current marker; a job
// fills them in pages with ctx.records.maintain — silently, since no person changed anything.
// Once a pass finds nothing left for a marker, the object is not read again until the marker
// changes (new rules, a new plugin version) or this node restarts.
import type { PluginContext } from 'kizuna/plugin';
import { DEFAULT_RULES, rulesFor } from './rules.ts';
import { guardedObjects, regionOf, settingsOf } from './guard.ts';
import { KEYS_FIELD } from './lookup.ts';
import { keysMarker, storedKeys } from './stored-keys.ts';
import { objectShape, visibleRules } from './shape.ts';

const PAGE = 500;
/** How long one run may keep going (the job runs again soon after). */
const RUN_MS = 20_000;

/** Per settings document (one per server and settings change): object → the marker a pass finished. */
const finished = new WeakMap<object, Map<string, string>>();

/** Fills in keys for up to RUN_MS; answers how many records it updated. */
export async function backfillKeys(ctx: PluginContext, budgetMs = RUN_MS): Promise<number> {
  const until = Date.now() + budgetMs;
  const region = regionOf(ctx);
  let done = 0;
  const mine = finished.get(ctx.settings) ?? new Map<string, string>();
  finished.set(ctx.settings, mine);
  for (const object of guardedObjects(settingsOf(ctx), Object.keys(DEFAULT_RULES))) {
    let def;
    try {
      def = ctx.metadata.object(object);
    } catch {
      continue; // an object the settings name that does not exist (any more)
    }
    const shape = objectShape(def);
    if (!shape.fields.has(KEYS_FIELD)) continue;
    const rules = visibleRules(rulesFor(settingsOf(ctx), object), shape);
    if (!rules.length) continue;
    const marker = keysMarker(rules, region);
    if (mine.get(object) === marker) continue;
    const fields = [...new Set(rules.flatMap((r) => r.fields))].filter((f) => shape.fields.has(f)).join(',');
    // Paged by id with a cursor: the records just filled in no longer match, the rest follow.
    let cursor: string | undefined;
    do {
      if (Date.now() > until) return done;
      const page = await ctx.records.list(object, {
        filter: JSON.stringify({ not: { [KEYS_FIELD]: { has_any: [marker] } } }),
        fields,
        limit: String(PAGE),
        sort: 'id',
        ...(cursor && { cursor }),
      });
      const rows = page.data as Record<string, unknown>[];
      if (rows.length)
        done += await ctx.records.maintain(
          object,
          rows.map((r) => ({ id: r.id as string, values: { [KEYS_FIELD]: storedKeys(rules, r, region) } })),
        );
      cursor = page.page.next_cursor ?? undefined;
    } while (cursor);
    mine.set(object, marker);
  }
  return done;
}
