// Query parameters of the import and export routes given empty (`?delimiter=`): each is the
// client's 400 naming the parameter, never a 500 from code that took '' for a value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { upload } from '../testing/imports.ts';

describe.each(databases)('empty import and export parameters on %s', (kind) => {
  let k: TestKizuna;
  let importId: string;
  beforeAll(async () => {
    k = await startKizuna(kind);
    importId = (await upload(k, 'last_name,email\nEmpty,empty@example.jp\n')).body.id;
  }, 60_000);
  afterAll(async () => k?.close());

  const expectNamed = async (res: Response, name: string) => {
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body.errors).toEqual([{ field: name, message: 'is empty' }]);
  };

  it.each(['delimiter', 'encoding', 'filename', 'object'])('refuses POST /api/imports with %s= empty with 400 naming it', async (name) => {
    const query = new URLSearchParams({ object: 'contact', filename: 'a.csv', [name]: '' });
    const res = await k.app.request(`/api/imports?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      body: 'last_name\nA\n',
    });
    await expectNamed(res, name);
  });

  it.each(['mapping', 'rows', 'create_missing'])('refuses a preview with %s= empty with 400 naming it', async (name) => {
    await expectNamed(
      await k.app.request(`/api/imports/${importId}/preview?${name}=`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
      name,
    );
  });

  it.each(['object', 'limit', 'cursor'])('refuses the import list with %s= empty with 400 naming it', async (name) => {
    await expectNamed(await k.app.request(`/api/imports?${name}=`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), name);
  });

  it.each(['format', 'header', 'encoding'])('refuses an export with %s= empty with 400 naming it', async (name) => {
    await expectNamed(
      await k.app.request(`/api/records/contact/export?${name}=`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
      name,
    );
  });

  it.each(['fields', 'filter', 'sort', 'q', 'trashed'])(
    'reads the list parameter %s= empty on an export as the list does, never a 500',
    async (name) => {
      const res = await k.app.request(`/api/records/contact/export?${name}=`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const list = await k.app.request(`/api/records/contact?${name}=`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(list.status);
      expect(res.status).toBeLessThan(500);
    },
  );
});
