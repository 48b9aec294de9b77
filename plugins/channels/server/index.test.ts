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
    expect(Object.keys(entry.default.jobs ?? {})).toEqual(['mailboxes']);
    expect(Object.keys(entry.default.routes ?? {})).toEqual(['POST /mailboxes/:id/read']);
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
    expect((await find()).installed_version).toBe('0.2.0');
    // Its mailbox object and the message fields it adds exist once installed.
    expect((await k.call('GET', '/api/meta/objects/mail_channel')).status).toBe(200);
    const message = (await k.call('GET', '/api/meta/objects/message')).body;
    expect(Object.keys(message.properties)).toEqual(expect.arrayContaining(['mail_message_id', 'mail_key', 'mail_flag']));
  });
});
