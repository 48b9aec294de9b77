import { conflict, definePlugin } from 'kizuna/plugin';

export default definePlugin({
  hooks: {
    contact: {
      // Inside the write's transaction: change the values, or refuse with a 4xx.
      beforeCreate(e, ctx) {
        if (e.values.last_name === 'Nobody') throw conflict('Nobody is not a name', [{ field: 'last_name', message: 'is not a name' }]);
        return { ...e.values, greeting: `${ctx.settings.word ?? 'Hello'}, ${e.values.last_name}` };
      },
    },
  },
  routes: {
    // Admins only (no `access`): the default.
    'GET /greet/:name': {
      summary: 'A greeting in the word set in the settings',
      response: { type: 'object', required: ['greeting'], properties: { greeting: { type: 'string' } } },
      handler: (c) => c.json({ greeting: `${c.env.kizuna.settings.word ?? 'Hello'}, ${c.req.param('name')}` }),
    },
    // Anyone who may read contacts; the list itself is as the caller may see it.
    'GET /contacts': {
      access: { object: 'contact', permission: 'read' },
      summary: 'Contacts with their greeting',
      handler: async (c) => c.json(await c.env.kizuna.records.list('contact', { fields: 'last_name,greeting' })),
    },
  },
});
