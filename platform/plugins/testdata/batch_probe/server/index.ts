// A plugin probing before-hooks in batch form. Its settings choose the forms it has: "batch"
// (beforeCreateBatch and beforeUpdateBatch only), "record" (per-record only), "both", or
// "mixed" (a batch form for creates, a per-record one for updates), or "concurrent" (the batch
// forms, declared concurrentBatches: a call notes the earlier rows it was given). A row's name says what to
// do: "refuse" (409 for that row, naming a match, unless the write overrides), "crash" (throws), "hang" (never answers),
// "bad" (sets a value the field refuses), "stray" (adds a field the object lacks), "drop" (removes
// the required name), "log" (writes a probe_log record); otherwise the
// hook marks the row with the form that ran (and ":override" for an override write). Every call is noted for GET /calls.
import {
  conflict,
  definePlugin,
  type BatchOutcome,
  type BeforeBatchEvent,
  type BeforeEvent,
  type ObjectHooks,
  type PluginContext,
} from '../../../index.ts';

interface Call {
  form: 'batch' | 'record';
  event: 'create' | 'update';
  rows: { index: number; id?: string; name: unknown }[];
  earlier?: { index: number; id: string; name: unknown }[];
}
const calls: Call[] = [];

async function one(
  event: 'create' | 'update',
  form: 'batch' | 'record',
  values: Record<string, unknown>,
  override: boolean,
  ctx: PluginContext,
) {
  const name = values.name;
  if (name === 'refuse' && !override)
    return conflict('batch_probe refuses this row', [{ field: 'name', message: 'is refused' }], {
      matches: [{ id: 'm-1', display: 'Match' }],
    });
  if (name === 'crash') throw new Error('batch_probe crashed');
  if (name === 'hang') await new Promise(() => {});
  if (name === 'bad') return { ...values, count: 'many' };
  if (name === 'stray') return { ...values, stray: 1 };
  if (name === 'drop') return Object.fromEntries(Object.entries(values).filter(([f]) => f !== 'name'));
  if (name === 'log') await ctx.records.create('probe_log', { note: `${form}:${event}` });
  return { ...values, mark: `${form}:${event}${override ? ':override' : ''}` };
}

const batch =
  (event: 'create' | 'update') =>
  async (e: BeforeBatchEvent, ctx: PluginContext): Promise<BatchOutcome> => {
    calls.push({
      form: 'batch',
      event,
      rows: e.rows.map((r) => ({ index: r.index, id: r.id, name: r.values.name })),
      ...(e.earlier && { earlier: e.earlier.map((r) => ({ index: r.index, id: r.id, name: r.values.name })) }),
    });
    const out: BatchOutcome = [];
    for (const r of e.rows) out.push(await one(event, 'batch', r.values, e.override, ctx));
    return out;
  };

const record = (event: 'create' | 'update') => async (e: BeforeEvent, ctx: PluginContext) => {
  calls.push({ form: 'record', event, rows: [{ index: 0, id: e.id, name: e.values.name }] });
  const o = await one(event, 'record', e.values, e.override, ctx);
  if (o instanceof Error) throw o;
  return o;
};

const forms: Record<string, ObjectHooks> = {
  batch: { beforeCreateBatch: batch('create'), beforeUpdateBatch: batch('update') },
  record: { beforeCreate: record('create'), beforeUpdate: record('update') },
  both: {
    beforeCreate: record('create'),
    beforeUpdate: record('update'),
    beforeCreateBatch: batch('create'),
    beforeUpdateBatch: batch('update'),
  },
  mixed: { beforeCreateBatch: batch('create'), beforeUpdate: record('update') },
  concurrent: { beforeCreateBatch: batch('create'), beforeUpdateBatch: batch('update'), concurrentBatches: true },
};

export default definePlugin({
  hooks: (settings) => ({ probe_item: forms[(settings.form as string | undefined) ?? 'batch'] }),
  routes: {
    'GET /calls': { handler: (c) => c.json(calls) },
    'POST /calls/reset': { handler: (c) => c.json(calls.splice(0).length) },
  },
});
