// A plugin offering one workflow action, for the catalog and dry-run tests.
import { definePlugin } from '../../../../plugins/index.ts';

export default definePlugin({
  actions: {
    greet: {
      title: { en: 'Greet someone', ja: 'あいさつする' },
      description: { en: 'Answers a greeting', ja: 'あいさつを返します' },
      config: { type: 'object', additionalProperties: false, required: ['word'], properties: { word: { type: 'string', minLength: 1 } } },
      output: { type: 'string' },
      async run(config, input) {
        return `${config.word}, ${input.name ?? 'world'}`;
      },
    },
  },
});
