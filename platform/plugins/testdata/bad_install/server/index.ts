import { definePlugin } from '../../../index.ts';

export default definePlugin({
  async install(ctx) {
    await ctx.records.create('half', { n: 1 }); // written in the install transaction…
    throw new Error('install fails after writing'); // …so this rolls everything back
  },
});
