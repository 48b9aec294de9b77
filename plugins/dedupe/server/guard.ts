// The duplicate guard on writes, set-based: each create (and each update that changes a field a
// rule compares) gets its blocking keys stored in dedupe_keys, and — when the object's mode says
// so — is checked against the existing records and the earlier rows of its batch. "block"
// refuses a likely duplicate with a 409 naming the records it matches, which a user allowed to
// override may confirm (?override=true); "warn", and a confirmed block, let it in marked
// dedupe_review = true with the matches in dedupe_matches: the review queue.
import { ProblemError, type BeforeBatchEvent, type BatchOutcome, type PluginContext } from 'kizuna/plugin';
import { blockingKeys, type KeyMemo } from './blocking.ts';
import { freshKeys } from './keys.ts';
import { KEYS_FIELD } from './lookup.ts';
import { matchSubjects, type Match } from './matcher.ts';
import { MATCHES_FIELD, REVIEW_FIELD } from './merge.ts';
import { fieldsOfRules, rulesFor, type BeforeCreateMode, type DedupeSettings, type Rule } from './rules.ts';
import { storedKeys } from './stored-keys.ts';
import { objectShape, visibleRules, type ObjectShape } from './shape.ts';

type Row = Record<string, unknown>;

export const settingsOf = (ctx: PluginContext) => ctx.settings as DedupeSettings;
export const regionOf = (ctx: PluginContext) => settingsOf(ctx).default_region ?? 'JP';

const modeOf = (s: DedupeSettings, object: string, event: 'create' | 'update'): BeforeCreateMode =>
  (event === 'create' ? s.objects?.[object]?.before_create : s.objects?.[object]?.before_update) ?? 'off';

/** The objects the guard hooks: those with rules (the defaults name contact and company). */
export function guardedObjects(s: DedupeSettings, defaults: string[]): string[] {
  const named = Object.entries(s.objects ?? {})
    .filter(([, o]) => o.rules?.length || (o.before_create ?? 'off') !== 'off' || (o.before_update ?? 'off') !== 'off')
    .map(([n]) => n);
  return [...new Set([...defaults, ...named])];
}

function rulesAndShape(ctx: PluginContext, object: string): { shape: ObjectShape; rules: Rule[] } {
  const shape = objectShape(ctx.metadata.object(object));
  return { shape, rules: visibleRules(rulesFor(settingsOf(ctx), object), shape) };
}

/** How a match is named in a message: 山田 太郎 (0193…), or an earlier row of the batch. */
const nameOf = (m: Match) => (m.id ? `${m.display} (${m.id})` : `${m.display} (row ${m.row} of this batch)`);

/** The 409 of block mode: names the records matched, the fields that matched, and that it may be overridden. */
export function duplicateProblem(object: string, values: Row, rules: Rule[], matches: Match[], update: boolean): ProblemError {
  const shown = matches.slice(0, 5);
  const fields = [...new Set(rules.filter((r) => shown.some((m) => m.rules.includes(r.name))).flatMap((r) => r.fields))].filter(
    (f) => values[f] !== undefined && values[f] !== null,
  );
  return new ProblemError({
    status: 409,
    type: 'duplicate',
    title: 'Possible duplicate',
    detail:
      `This ${object} looks like ${shown.map(nameOf).join(', ')}${matches.length > shown.length ? ` and ${matches.length - shown.length} more` : ''}; ` +
      `${update ? 'save' : 'create'} it anyway with ?override=true if you may override duplicate checks`,
    errors: (fields.length ? fields : ['(record)']).map((field) => ({ field, message: `matches ${nameOf(shown[0])}` })),
    extra: {
      overridable: true,
      matches: matches.map(({ id, row, display, score, level, rules: r }) => ({
        ...(id ? { id } : { row }),
        display,
        score,
        level,
        rules: r,
      })),
    },
  });
}

/** What one row becomes: its keys stored, and refused or marked when it is a likely duplicate. */
function outcomeOf(
  e: BeforeBatchEvent,
  shape: ObjectShape,
  rules: Rule[],
  mode: BeforeCreateMode,
  stored: Row,
  values: Row,
  matches: Match[],
  keys: string[],
  region: string,
  update: boolean,
): Row | ProblemError {
  const out: Row = { ...values };
  if (shape.fields.has(KEYS_FIELD)) out[KEYS_FIELD] = storedKeys(rules, stored, region, keys);
  if (mode === 'off' || !matches.length) return out;
  if (mode === 'block' && !e.override) return duplicateProblem(e.object, stored, rules, matches, update);
  if (shape.fields.has(REVIEW_FIELD)) out[REVIEW_FIELD] = true;
  if (shape.fields.has(MATCHES_FIELD))
    out[MATCHES_FIELD] = matches.slice(0, 10).map((m) => ({
      ...(m.id ? { id: m.id } : { row: m.row }),
      display: m.display,
      score: m.score,
      rules: m.rules,
      ...(e.override && { overridden_by: e.actor }),
    }));
  return out;
}

export async function guardCreates(e: BeforeBatchEvent, ctx: PluginContext): Promise<BatchOutcome | void> {
  const { shape, rules } = rulesAndShape(ctx, e.object);
  const mode = modeOf(settingsOf(ctx), e.object, 'create');
  if (!rules.length || (mode === 'off' && !shape.fields.has(KEYS_FIELD))) return;
  const region = regionOf(ctx);
  // New rows' values were never seen: their keys are computed once, not remembered (keys.ts),
  // and kept for this batch's matching.
  const memo: KeyMemo = new Map();
  const keys = e.rows.map((r) => blockingKeys(rules, r.values, region, { n: freshKeys, memo }));
  const matches =
    mode === 'off'
      ? []
      : await matchSubjects(
          ctx,
          e.object,
          rules,
          e.rows.map((r) => ({ index: r.index, values: r.values })),
          { region, threshold: settingsOf(ctx).threshold, memo: ctx.settings, keys, keyMemo: memo, earlier: e.earlier },
        );
  return e.rows.map((r, i) => outcomeOf(e, shape, rules, mode, r.values, r.values, matches[i] ?? [], keys[i], region, false));
}

export async function guardUpdates(e: BeforeBatchEvent, ctx: PluginContext): Promise<BatchOutcome | void> {
  const { shape, rules } = rulesAndShape(ctx, e.object);
  const compared = new Set(fieldsOfRules(rules));
  const touching = e.rows.filter((r) => r.id && Object.keys(r.values).some((f) => compared.has(f)));
  if (!rules.length || !touching.length) return;
  const mode = modeOf(settingsOf(ctx), e.object, 'update');
  if (mode === 'off' && !shape.fields.has(KEYS_FIELD)) return;
  // An update's keys and matches come from the whole record as it will be.
  const fields = [...compared].filter((f) => shape.fields.has(f));
  const current = new Map<string, Row>();
  const ids = touching.map((r) => r.id!);
  for (let i = 0; i < ids.length; i += 500) {
    const page = await ctx.records.list(e.object, {
      filter: JSON.stringify({ id: { in: ids.slice(i, i + 500) } }),
      fields: fields.join(','),
      limit: '500',
    });
    for (const r of page.data as Row[]) current.set(r.id as string, r);
  }
  const subjects = touching.map((r) => ({ index: r.index, id: r.id, values: { ...current.get(r.id!), ...r.values } }));
  const region = regionOf(ctx);
  const memo: KeyMemo = new Map();
  const keys = subjects.map((s) => blockingKeys(rules, s.values, region, { memo }));
  const matches =
    mode === 'off'
      ? []
      : await matchSubjects(ctx, e.object, rules, subjects, {
          region,
          threshold: settingsOf(ctx).threshold,
          memo: ctx.settings,
          keys,
          keyMemo: memo,
        });
  const byIndex = new Map(subjects.map((s, i) => [s.index, { stored: s.values, matches: matches[i] ?? [], keys: keys[i] }]));
  return e.rows.map((r) => {
    const s = byIndex.get(r.index);
    return s ? outcomeOf(e, shape, rules, mode, s.stored, r.values, s.matches, s.keys, region, true) : undefined;
  });
}
