// A plugin whose hooks depend on its settings: it hooks only the objects `objects` names,
// refusing a record whose values say "refuse me" and noting each creation after commit.
import { conflict, definePlugin, type ObjectHooks } from '../../../index.ts';

const seen: string[] = [];
let asked = 0;

const hooks: ObjectHooks = {
  beforeCreate(e) {
    if (Object.values(e.values).includes('refuse me'))
      throw conflict(`by_settings refuses this ${e.object}`, [{ field: '(record)', message: 'says refuse me' }]);
  },
  afterCreate(e) {
    seen.push(`${e.object}:${e.id}`);
  },
};

export default definePlugin({
  hooks: (settings) => {
    asked++;
    const objects = (settings.objects as string[] | undefined) ?? [];
    if (objects.includes('explode')) throw new Error('cannot hook "explode"');
    return Object.fromEntries(objects.map((o) => [o, hooks]));
  },
  routes: {
    'GET /seen': { handler: (c) => c.json(seen) },
    // How often the hooks function ran: once per settings, never per write.
    'GET /asked': { handler: (c) => c.json(asked) },
  },
});
