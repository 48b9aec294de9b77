// What a restricted caller is told about objects and records it may not reach: enough for a
// client to say "no access" (403) where something exists and "not found" (404) where nothing
// does, and in x-kizuna-access which actions to offer at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const NO_UUID = '00000000-0000-4000-8000-000000000000';

describe.each(databases)('metadata and records a restricted caller may not reach, on %s', (kind) => {
  let k: TestKizuna;
  let key: string;
  const ids: Record<string, string> = {};
  const as = (method: string, path: string) => k.call(method, path, undefined, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    k = await startKizuna(kind);
    const role = await k.call('POST', '/api/roles', {
      name: 'contact_reader',
      label: { en: 'Contact reader', ja: '取引先責任者の閲覧者' },
      objects: {
        contact: { read: 'all', create: 'none', update: 'all', delete: 'none', fields: { notes: 'hidden', email: 'read' } },
      },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const user = await k.call('POST', '/api/users', { email: 'reader@example.jp', name: 'Reader', roles: ['contact_reader'] });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    key = (await k.call('POST', '/api/api-keys', { name: 'reader', user_id: user.body.id })).body.key;
    ids.company = (await k.call('POST', '/api/records/company', { name: 'Acme' })).body.id;
    ids.contact = (await k.call('POST', '/api/records/contact', { last_name: '青木', notes: '社外秘' })).body.id;
  });
  afterAll(() => k?.close());

  it('lists only readable objects, with what the caller may do and which fields it may only read', async () => {
    const r = await as('GET', '/api/meta/objects');
    const names = (r.body.data as { 'x-kizuna': { name: string } }[]).map((o) => o['x-kizuna'].name);
    expect(names).toContain('contact');
    expect(names).not.toContain('company');
    const contact = (await as('GET', '/api/meta/objects/contact')).body;
    expect(contact['x-kizuna-access']).toMatchObject({ create: false, update: true, delete: false });
    expect(contact['x-kizuna-access'].read_only).toContain('email');
    expect(Object.keys(contact.properties)).not.toContain('notes');
  });

  it('answers 403 for an object that exists but may not be read, and 404 for one that does not exist', async () => {
    const forbidden = await as('GET', '/api/meta/objects/company');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.type).toBe('https://kizuna.dev/problems/forbidden');
    expect(forbidden.body.errors).toEqual([{ field: 'company', message: 'read is not permitted' }]);
    const missing = await as('GET', '/api/meta/objects/spaceship');
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('https://kizuna.dev/problems/not-found');
  });

  it('answers the records routes the same way: 403 for an unreadable object, 404 for no such object or record', async () => {
    expect((await as('GET', '/api/records/company')).status).toBe(403);
    expect((await as('GET', `/api/records/company/${ids.company}`)).status).toBe(403);
    expect((await as('GET', '/api/records/spaceship')).status).toBe(404);
    expect((await as('GET', `/api/records/contact/${NO_UUID}`)).status).toBe(404);
    const readable = await as('GET', `/api/records/contact/${ids.contact}`);
    expect(readable.status).toBe(200);
    expect(readable.body).not.toHaveProperty('notes');
  });

  it('refuses the actions x-kizuna-access does not offer', async () => {
    expect((await k.call('POST', '/api/records/contact', { last_name: 'x' }, { authorization: `Bearer ${key}` })).status).toBe(403);
    expect((await as('DELETE', `/api/records/contact/${ids.contact}`)).status).toBe(403);
    const readOnly = await k.call(
      'PATCH',
      `/api/records/contact/${ids.contact}`,
      { email: 'a@example.jp' },
      { authorization: `Bearer ${key}` },
    );
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.errors[0].field).toBe('email');
  });
});
