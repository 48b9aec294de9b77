// The dedupe plugin: duplicate rules per object, an evidence-weighted score of two records,
// candidates for a record, a scan of an object, merging into a master (undoable), and a guard
// on writes that stores each record's blocking keys and warns or blocks on a likely duplicate.
import { definePlugin, notFound, type ObjectHooks, type PluginContext } from 'kizuna/plugin';
import { duplicatesAnswer, mergeAnswer, mergeBody, mergesAnswer, scanAnswer, scanBody, unmergeAnswer, unmergeBody } from './api-schemas.ts';
import { backfillKeys } from './backfill.ts';
import { guardCreates, guardedObjects, guardUpdates, regionOf, settingsOf } from './guard.ts';
import { matchSubjects } from './matcher.ts';
import { mergeRecords } from './merge.ts';
import { mergesOf } from './merges-of.ts';
import { DEFAULT_RULES, rulesFor, type DedupeSettings } from './rules.ts';
import { scanObject } from './scan.ts';
import { objectShape, visibleRules } from './shape.ts';
import { unmergeRecords } from './unmerge.ts';

function rulesOn(ctx: PluginContext, object: string) {
  const shape = objectShape(ctx.metadata.object(object));
  const rules = visibleRules(rulesFor(settingsOf(ctx), object), shape);
  if (!rules.length) throw notFound(`No duplicate rules apply to ${object}; set them in the plugin's settings (objects.${object}.rules)`);
  return rules;
}

// The guard only reads, and compares an import batch with the one still being written before
// it (e.earlier): the importer may keep several batches in flight.
const guard: ObjectHooks = { beforeCreateBatch: guardCreates, beforeUpdateBatch: guardUpdates, concurrentBatches: true };

export default definePlugin({
  // Only the objects with rules are hooked: the others keep the platform's fastest write path.
  hooks: (settings) => Object.fromEntries(guardedObjects(settings as DedupeSettings, Object.keys(DEFAULT_RULES)).map((o) => [o, guard])),
  jobs: {
    // Keys for records written before the plugin was installed or its rules changed.
    keys: { everySeconds: 10, run: async (ctx) => void (await backfillKeys(ctx)) },
  },
  routes: {
    // Anyone who may read the object may look for its duplicates (on the fields they can see).
    'GET /duplicates/:object/:id': {
      access: { object: ':object', permission: 'read' },
      summary: 'Likely and possible duplicates of one record, best first',
      response: duplicatesAnswer,
      handler: async (c) => {
        const ctx = c.env.kizuna;
        const object = c.req.param('object')!;
        const rules = rulesOn(ctx, object);
        const record = await ctx.records.get(object, c.req.param('id')!);
        const [data] = await matchSubjects(ctx, object, rules, [{ index: 0, id: record.id as string, values: record }], {
          region: regionOf(ctx),
          threshold: settingsOf(ctx).threshold,
          possible: true,
          limit: 50,
          explain: true,
        });
        return c.json({ object, id: record.id, rules: rules.map((r) => r.name), data, capped: data.length >= 50 });
      },
    },
    'POST /scan/:object': {
      access: { object: ':object', permission: 'read' },
      summary: 'Groups of duplicates among all records of an object (no chains: every two members match)',
      request: scanBody,
      response: scanAnswer,
      handler: async (c) => {
        const ctx = c.env.kizuna;
        const object = c.req.param('object')!;
        const body = c.env.body as { partitions?: number; limit?: number };
        return c.json(
          await scanObject(ctx, object, rulesOn(ctx, object), regionOf(ctx), {
            partitions: body.partitions,
            limit: body.limit,
            threshold: settingsOf(ctx).threshold,
          }),
        );
      },
    },
    // Merging changes the master and trashes the duplicates: it needs update on the object
    // (and the records service checks every record it touches).
    'POST /merge/:object': {
      access: { object: ':object', permission: 'update' },
      summary: 'Merge duplicates into a master record, in one transaction',
      request: mergeBody,
      response: mergeAnswer,
      handler: async (c) => c.json(await mergeRecords(c.env.kizuna, c.req.param('object')!, c.env.body)),
    },
    // Undoing needs what merging needs (restoring the duplicates: delete on the object, which
    // the records service checks); the journal is read and marked as the plugin itself.
    'POST /unmerge/:object/:merge': {
      access: { object: ':object', permission: 'update' },
      summary: "Undo a merge: the duplicates, their relations and the master's values back as they were",
      request: unmergeBody,
      response: unmergeAnswer,
      handler: async (c) =>
        c.json(
          await unmergeRecords(
            c.env.kizuna,
            c.req.param('object')!,
            c.req.param('merge')!,
            (c.env.body as { force?: boolean }).force === true,
          ),
        ),
    },
    'GET /merges/:object/:id': {
      access: { object: ':object', permission: 'read' },
      summary: 'The merges a record took part in (as master or duplicate), newest first, and whether each can be undone',
      response: mergesAnswer,
      handler: async (c) => c.json(await mergesOf(c.env.kizuna, c.req.param('object')!, c.req.param('id')!)),
    },
  },
});
