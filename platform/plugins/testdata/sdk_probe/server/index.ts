import { definePlugin } from '../../../index.ts';

export default definePlugin({
  routes: {
    // Relation fields pointing at an object, found through ctx.metadata.
    'GET /relations/:object': {
      access: { object: ':object', permission: 'read' },
      response: { type: 'array', items: { type: 'string' } },
      handler: (c) => {
        const target = c.env.kizuna.metadata.object(c.req.param('object')!)['x-kizuna'].name;
        return c.json(
          c.env.kizuna.metadata.objects().flatMap((o) =>
            Object.entries(o.properties)
              .filter(([, p]) => p['x-kizuna'].type === 'relation' && p['x-kizuna'].target === target)
              .map(([f]) => `${o['x-kizuna'].name}.${f}`),
          ),
        );
      },
    },
    // Two writes in one transaction; the second fails on request, taking the first with it.
    'POST /pair': {
      access: { object: 'contact', permission: 'create' },
      request: {
        type: 'object',
        required: ['last_name'],
        properties: { last_name: { type: 'string', minLength: 1 }, fail: { type: 'boolean' } },
        additionalProperties: false,
      },
      handler: async (c) => {
        const body = c.env.body as { last_name: string; fail?: boolean };
        const ids = await c.env.kizuna.transaction(async (records) => {
          const a = await records.create('contact', { last_name: body.last_name });
          const b = await records.create('contact', { last_name: body.fail ? '' : `${body.last_name} 2` });
          return [a.id, b.id];
        });
        return c.json(ids, 201);
      },
    },
    // Silent writes of the plugin's internal field (ctx.records.maintain).
    'POST /maintain/:object': {
      request: { type: 'object', required: ['rows'], properties: { rows: { type: 'array' } } },
      handler: async (c) => {
        const body = c.env.body as { rows: { id: string; values: Record<string, unknown> }[] };
        return c.json({ touched: await c.env.kizuna.records.maintain(c.req.param('object')!, body.rows) });
      },
    },
    // Guarded set-based writes of the plugin's fields, with history and events (ctx.records.mark).
    'POST /mark/:object': {
      request: { type: 'object', required: ['rows'], properties: { rows: { type: 'array' } } },
      handler: async (c) => {
        const body = c.env.body as { rows: { id: string; version: number; values: Record<string, unknown> }[] };
        return c.json({ written: await c.env.kizuna.records.mark(c.req.param('object')!, body.rows) });
      },
    },
    // Answers what its own response schema forbids (the host must not pass it on).
    'GET /broken-answer': {
      response: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } },
      handler: (c) => c.json({ ok: 'yes' }),
    },
  },
});
