import { conflict, definePlugin } from '../../../index.ts';

const note = { en: 'Touched by the probe', ja: '検査で変更' };

export default definePlugin({
  routes: {
    // A caller's write with a note and the plugin's own log entry, in one transaction; the log
    // is written as the plugin, which callers need no permission on. `fail` rolls both back.
    'POST /touch/:id': {
      access: { object: 'contact', permission: 'update' },
      request: {
        type: 'object',
        additionalProperties: false,
        properties: { title: { type: 'string' }, fail: { type: 'boolean' }, bad_note: { type: 'boolean' } },
      },
      handler: async (c) => {
        const body = c.env.body as { title?: string; fail?: boolean; bad_note?: boolean };
        const ctx = c.env.kizuna;
        const log = await ctx.transaction(async (records, asPlugin) => {
          await records.update(
            'contact',
            c.req.param('id')!,
            { title: body.title ?? 'touched' },
            { note: body.bad_note ? ({ en: 'only English' } as never) : note },
          );
          const entry = await asPlugin.create('note_probe_log', { contact: c.req.param('id'), by: ctx.actor });
          if (body.fail) throw conflict('Failing on request');
          return entry;
        });
        return c.json(log);
      },
    },
    // Trash and restore, each with its note.
    'POST /bounce/:id': {
      access: { object: 'contact', permission: 'delete' },
      handler: async (c) => {
        const { records } = c.env.kizuna;
        await records.remove('contact', c.req.param('id')!, { note: { en: 'Bounced away', ja: '一時退避' } });
        return c.json(await records.restore('contact', c.req.param('id')!, { note: { en: 'Bounced back', ja: '復帰' } }));
      },
    },
  },
});
