// Test support: plugin folders built in a temp directory, so a test can add, rewrite or break
// a plugin while servers run. Copies import the SDK by its absolute path in this repository.
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
const sdk = join(repoRoot, 'platform/plugins/index.ts');

/** An empty folder for plugins. */
export const emptyPluginFolder = () => mkdtemp(join(tmpdir(), 'kizuna-plugins-'));

/** Copies a plugin (a bundled one from plugins/, else a fixture of platform/plugins/testdata) into dir. */
export async function copyPlugin(dir: string, name: string): Promise<string> {
  const bundled = join(repoRoot, 'plugins', name);
  const from = (await readdir(join(repoRoot, 'plugins'))).includes(name) ? bundled : join(repoRoot, 'platform/plugins/testdata', name);
  const to = join(dir, name);
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
  for (const file of await readdir(join(to, 'server')).catch(() => [] as string[])) {
    if (!file.endsWith('.ts')) continue;
    const p = join(to, 'server', file);
    const text = await readFile(p, 'utf8');
    await writeFile(
      p,
      text.replace(
        /from 'kizuna\/plugin'|from '[./]+(platform\/)?plugins\/index\.ts'|from '\.\.\/\.\.\/\.\.\/index\.ts'/g,
        `from '${sdk}'`,
      ),
    );
  }
  return to;
}

/** A folder holding copies of the named plugins. */
export async function pluginFolderWith(...names: string[]): Promise<string> {
  const dir = await emptyPluginFolder();
  for (const n of names) await copyPlugin(dir, n);
  return dir;
}
