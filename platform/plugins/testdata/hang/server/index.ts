// A plugin whose hooks wait: forever ("forever"), or until the test opens a gate ("gate").
import { definePlugin } from '../../../index.ts';

/** The test sets globalThis.kizunaHangGate to a promise and resolves it to let "gate" writes on. */
const gate = () => (globalThis as { kizunaHangGate?: Promise<void> }).kizunaHangGate ?? Promise.resolve();

export default definePlugin({
  hooks: {
    hang_item: {
      async beforeCreate(e, ctx) {
        if (e.values.note === 'forever') {
          await ctx.records.list('hang_item', { limit: '1' }); // it has used the transaction
          await new Promise(() => {});
        }
        if (e.values.note === 'gate') await gate();
      },
      async afterCreate(e, ctx) {
        const item = await ctx.records.get('hang_item', e.id);
        if (item.note === 'after forever') await new Promise(() => {});
      },
    },
  },
});
