// ESLint runs in CI for what the type checker cannot see: promises nobody awaits or handles
// (a write that may fail silently, an error that escapes as an unhandled rejection) and
// promises passed where a plain callback is expected. Formatting is Prettier's.
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

export default tseslint.config(
  { ignores: ['node_modules/**', 'studio/dist/**', 'data/**', 'test/fixtures/**', 'studio/src/api/openapi.d.ts'] },
  {
    files: ['platform/**/*.ts', 'plugins/*/server/**/*.ts', 'bench/**/*.ts', 'studio/src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Single-file components: vue-eslint-parser hands each <script> to the TypeScript parser with the
  // studio's program (which includes the .vue files), so the same two rules see types there too.
  // The rules come in a block of their own: a `parser` next to them would replace vue-eslint-parser.
  {
    files: ['studio/src/**/*.vue', 'plugins/*/studio/**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        project: ['./studio/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
        sourceType: 'module',
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
