import { definePlugin } from '../../../index.ts';

export default definePlugin({
  routes(app) {
    // Relation fields pointing at an object, found through ctx.metadata.
    app.get('/relations/:object', (c) => {
      const target = c.env.kizuna.metadata.object(c.req.param('object'))['x-kizuna'].name;
      return c.json(c.env.kizuna.metadata.objects().flatMap((o) =>
        Object.entries(o.properties).filter(([, p]) => p['x-kizuna'].type === 'relation' && p['x-kizuna'].target === target).map(([f]) => `${o['x-kizuna'].name}.${f}`)));
    });
    // Two writes in one transaction; the second fails on request, taking the first with it.
    app.post('/pair', async (c) => {
      const body = (await c.req.json()) as { last_name: string; fail?: boolean };
      const ids = await c.env.kizuna.transaction(async (records) => {
        const a = await records.create('contact', { last_name: body.last_name });
        const b = await records.create('contact', { last_name: body.fail ? '' : `${body.last_name} 2` });
        return [a.id, b.id];
      });
      return c.json(ids, 201);
    });
  },
});
