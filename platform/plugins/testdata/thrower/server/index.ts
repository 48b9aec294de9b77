// A plugin whose every hook can fail on demand: a record's note says which.
import { definePlugin } from '../../../index.ts';

const seen: string[] = [];
export const delivered = seen;

export default definePlugin({
  hooks: {
    case: {
      beforeCreate(e) {
        if (e.values.subject === 'crash before create') throw new Error('boom in beforeCreate');
      },
      beforeUpdate(e) {
        if (e.values.subject === 'crash before update') throw new Error('boom in beforeUpdate');
      },
      beforeDelete() {
        throw new Error('boom in beforeDelete');
      },
      async afterCreate(e, ctx) {
        const c = await ctx.records.get('case', e.id);
        if (c.subject === 'crash after create') throw new Error('boom in afterCreate');
        seen.push(`${e.topic}:${c.subject}`);
      },
    },
  },
  routes: {
    'GET /crash': {
      handler: () => {
        throw new Error('boom in a route');
      },
    },
    'GET /seen': { handler: (c) => c.json(seen) },
  },
});
