// ESLint runs in CI for what the type checker cannot see: promises nobody awaits or handles
// (a write that may fail silently, an error that escapes as an unhandled rejection) and
// promises passed where a plain callback is expected. Formatting is Prettier's.
import tseslint from 'typescript-eslint';

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
);
