// What tests outside platform/ (bundled and third-party plugins' tests) use to run a real
// Kizuna: `import { startKizuna, databases } from 'kizuna/testing'` (package.json exports).
export { databases, startKizuna, ADMIN_TOKEN, type DatabaseKind, type TestKizuna } from './kizuna.ts';
export { fixturePath, readFixture, japaneseNames } from './fixtures.ts';
export { count, finished, upload } from './imports.ts';
export { copyPlugin, emptyPluginFolder, pluginFolderWith, repoRoot } from './plugins.ts';
export { publishWorkflow, settledRuns } from './workflows.ts';
