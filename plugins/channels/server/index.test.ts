import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPluginDir } from 'kizuna/plugin';
import { databases, startKizuna, type TestKizuna } from 'kizuna/testing';

describe('the channels plugin package', () => {
  it('has a valid manifest (titles and descriptions in English and Japanese) and a server entry', async () => {
    const pkg = readPluginDir(fileURLToPath(new URL('..', import.meta.url)), 'bundled');
    expect(pkg.manifest.name).toBe('channels');
    expect(pkg.manifest.title).toEqual({ en: 'Channels', ja: 'チャネル' });
    expect(pkg.manifest.description?.ja).toBeTruthy();
    const entry = await import('./index.ts');
    expect(entry.default).toEqual({});
    expect(typeof entry.parseMail).toBe('function');
  });
});

describe.each(databases)('the channels plugin on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => k?.close());

  it('is bundled, not installed until an admin installs it, and then installs cleanly', async () => {
    const find = async () => (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'channels');
    expect(await find()).toMatchObject({ name: 'channels' });
    expect((await find()).installed_version ?? null).toBeNull();
    const r = await k.call('POST', '/api/plugins/channels/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await find()).installed_version).toBe('0.1.0');
  });
});
