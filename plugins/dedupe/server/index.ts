// The dedupe plugin: duplicate rules per object, candidates for a record, a scan of an object,
// merging into a master, and an optional rule that warns or blocks when a duplicate is created.
import { definePlugin, notFound, ProblemError, type BeforeEvent, type PluginContext } from 'kizuna/plugin';
import { duplicatesAnswer, mergeAnswer, mergeBody, scanAnswer, scanBody } from './api-schemas.ts';
import { findCandidates } from './candidates.ts';
import { MATCHES_FIELD, mergeRecords, REVIEW_FIELD } from './merge.ts';
import { beforeCreateMode, rulesFor, type DedupeSettings } from './rules.ts';
import { scanObject } from './scan.ts';
import { objectShape, visibleRules } from './shape.ts';

const settingsOf = (ctx: PluginContext) => ctx.settings as DedupeSettings;
const regionOf = (ctx: PluginContext) => settingsOf(ctx).default_region ?? 'JP';

function rulesOn(ctx: PluginContext, object: string) {
  const shape = objectShape(ctx.metadata.object(object));
  const rules = visibleRules(rulesFor(settingsOf(ctx), object), shape);
  if (!rules.length) throw notFound(`No duplicate rules apply to ${object}; set them in the plugin's settings (objects.${object}.rules)`);
  return rules;
}

/**
 * Before a record is created: "block" refuses with 409 naming the matches; "warn" lets it in
 * and marks it dedupe_review = true with the matches in dedupe_matches (contact and company):
 * a list filtered on dedupe_review is the review queue — a before-hook cannot add a warning to the
 * response, and a stored, filterable marker outlives any toast.
 */
async function checkBeforeCreate(e: BeforeEvent, ctx: PluginContext) {
  const mode = beforeCreateMode(settingsOf(ctx), e.object);
  if (mode === 'off') return;
  const rules = visibleRules(rulesFor(settingsOf(ctx), e.object), objectShape(ctx.metadata.object(e.object)));
  const { candidates } = await findCandidates(ctx, e.object, e.values, rules, regionOf(ctx));
  if (!candidates.length) return;
  const matches = candidates.slice(0, 10).map((c) => ({ id: c.id, rule: c.rules[0], rules: c.rules, score: c.score }));
  if (mode === 'block') {
    throw new ProblemError({
      status: 409, type: 'duplicate', title: 'Possible duplicate',
      detail: `This ${e.object} looks like ${matches.length === 1 ? 'an existing record' : `${matches.length} existing records`} (${matches.map((m) => `${m.id} by ${m.rules.join(', ')}`).join('; ')})`,
      errors: [...new Set(matches.flatMap((m) => rules.filter((r) => m.rules.includes(r.name)).flatMap((r) => r.fields)))].filter((f) => e.values[f] !== undefined).map((field) => ({ field, message: 'matches an existing record' })),
      extra: { matches },
    });
  }
  ctx.log('possible duplicate created', { object: e.object, matches });
  if (ctx.metadata.object(e.object).properties[MATCHES_FIELD]) return { ...e.values, [MATCHES_FIELD]: matches, [REVIEW_FIELD]: true };
}

const beforeCreate = { beforeCreate: checkBeforeCreate };

export default definePlugin({
  // Every object: the rule applies to any object the settings name (off unless set).
  hooks: { '*': beforeCreate },
  routes: {
    // Anyone who may read the object may look for its duplicates (on the fields they can see).
    'GET /duplicates/:object/:id': {
      access: { object: ':object', permission: 'read' },
      summary: 'Possible duplicates of one record, best first',
      response: duplicatesAnswer,
      handler: async (c) => {
        const ctx = c.env.kizuna;
        const object = c.req.param('object')!;
        const rules = rulesOn(ctx, object);
        const record = await ctx.records.get(object, c.req.param('id')!);
        const { candidates, capped } = await findCandidates(ctx, object, record, rules, regionOf(ctx));
        return c.json({ object, id: record.id, rules: rules.map((r) => r.name), data: candidates, capped });
      },
    },
    'POST /scan/:object': {
      access: { object: ':object', permission: 'read' },
      summary: 'Groups of duplicates among all records of an object',
      request: scanBody,
      response: scanAnswer,
      handler: async (c) => {
        const ctx = c.env.kizuna;
        const object = c.req.param('object')!;
        const body = c.env.body as { partitions?: number; limit?: number };
        return c.json(await scanObject(ctx.records, object, rulesOn(ctx, object), regionOf(ctx), { partitions: body.partitions, limit: body.limit }));
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
  },
});
