// `kizuna plugin new <name>`: a plugin that works on first run, with a test that proves it.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

export async function scaffoldPlugin(root: string, name: string, dir = join(root, 'plugins', name)): Promise<string[]> {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a plugin name (lower case letters, digits and _, starting with a letter)`);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  // Inside the project the SDK is imported by package name (node_modules/kizuna is the project
  // itself), as an outside author's plugin with kizuna installed would; elsewhere by path.
  const inside = !relative(root, dir).startsWith('..');
  const sdk = inside ? 'kizuna/plugin' : relative(join(dir, 'server'), join(root, 'platform/plugins/index.ts')).replaceAll('\\', '/');
  const testing = inside ? 'kizuna/testing' : relative(join(dir, 'server'), join(root, 'platform/testing/index.ts')).replaceAll('\\', '/');
  const files: Record<string, string> = {
    'plugin.json':
      JSON.stringify(
        {
          name,
          version: '0.1.0',
          title: { en: name, ja: name },
          description: { en: `The ${name} plugin.`, ja: `${name} プラグイン。` },
          kizuna: '^0.1.0',
          metadata: {
            fields: { contact: [{ name: `${name}_note`, type: 'text', label: { en: 'Note', ja: 'メモ' }, searchable: false }] },
          },
          server: 'server/index.ts',
        },
        null,
        2,
      ) + '\n',
    'server/index.ts': `import { definePlugin } from '${sdk}';

export default definePlugin({
  hooks: {
    contact: {
      // Runs inside the write's transaction; return changed values, or throw a problem to refuse.
      beforeCreate: (e) => ({ ...e.values, ${name}_note: e.values.${name}_note ?? 'added by ${name}' }),
    },
  },
  routes: {
    // Who may call it (admins unless \`access\` says otherwise) and the JSON Schema of its answer.
    'GET /hello': {
      access: { object: 'contact', permission: 'read' },
      response: { type: 'object', properties: { plugin: { type: 'string' }, hello: { type: 'string' } } },
      handler: (c) => c.json({ plugin: '${name}', hello: 'world' }),
    },
  },
});
`,
    'server/index.test.ts': `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '${testing}';

describe.each(databases)('${name} plugin on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { pluginDirs: [new URL('../..', import.meta.url).pathname] });
    const r = await k.call('POST', '/api/plugins/${name}/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
  afterAll(() => k?.close());

  it('answers its route', async () => {
    expect((await k.call('GET', '/api/plugins/${name}/hello')).body).toEqual({ plugin: '${name}', hello: 'world' });
  });

  it('fills in its field on new contacts', async () => {
    const c = await k.call('POST', '/api/records/contact', { last_name: 'テスト' });
    expect(c.body.${name}_note).toBe('added by ${name}');
  });
});
`,
    'README.md': `# ${name}\n\nA Kizuna plugin. Install it with \`POST /api/plugins/${name}/install\` (admin); its routes live under \`/api/plugins/${name}/\`.\n`,
  };
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const path = join(dir, file);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}
