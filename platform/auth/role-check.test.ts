// Roles are checked against the metadata (black-box report F2): a scope naming a field that
// cannot hold a user, an unknown field or operator in a scope filter, an unknown field or
// object is refused on save with a 422 naming its path; a role the metadata changed under later
// refuses its holders with a 403 naming the role (never a 500, never a 400 blaming the request)
// and lists its problems in GET /api/roles.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

const label = { en: 'x', ja: 'エックス' };
const contactGrant = (read: unknown, extra: Record<string, unknown> = {}) => ({
  contact: { read, create: 'all', update: 'all', delete: 'none', ...extra },
});

describe.each(databases)('roles checked against the metadata on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { pluginDirs: [await pluginFolderWith('bad_role')] });
  }, 60_000);
  afterAll(async () => k?.close());

  const holder = async (name: string, role: string) => {
    const u = await k.call('POST', '/api/users', { email: `${name}@example.jp`, name, roles: [role] });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const key = (await k.call('POST', '/api/api-keys', { name, user_id: u.body.id })).body.key as string;
    return (method: string, path: string, body?: unknown) => k.call(method, path, body, { authorization: `Bearer ${key}` });
  };

  it('refuses scopes, filters, field permissions and objects the metadata does not have, naming the path', async () => {
    for (const [objects, path, message] of [
      [contactGrant({ own: 'last_name' }), 'objects.contact.read.own', /user field/],
      [contactGrant({ team: 'title' }), 'objects.contact.read.team', /user field/],
      [contactGrant({ own: 'nosuch' }), 'objects.contact.read.own', /not a field/],
      [contactGrant('all', { update: { own: 'company' } }), 'objects.contact.update.own', /user field/],
      [contactGrant({ filter: { nosuch: { eq: 1 } } }), 'objects.contact.read.filter', /nosuch/],
      [contactGrant({ filter: { lifecycle: { zz: 1 } } }), 'objects.contact.read.filter', /unknown operator "zz"/],
      [contactGrant({ filter: { last_name: { has_any: ['山田'] } } }), 'objects.contact.read.filter', /not available/],
      [contactGrant('all', { fields: { nosuch: 'hidden' } }), 'objects.contact.fields.nosuch', /not a field/],
      [{ nosuch: { read: 'all' } }, 'objects.nosuch', /no object/],
      [{ '*': { read: { own: 'owner' } } }, 'objects.*.read.own', /on \w+: /],
    ] as const) {
      const r = await k.call('POST', '/api/roles', { name: 'bad_role', label, objects });
      expect(r.status, JSON.stringify(objects)).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors, JSON.stringify(objects)).toContainEqual({ field: path, message: expect.stringMatching(message) });
    }
    expect((await k.call('GET', '/api/roles/bad_role')).status).toBe(404);
    // A replacement is checked the same way.
    expect((await k.call('POST', '/api/roles', { name: 'fine_role', label, objects: contactGrant({ own: 'owner' }) })).status).toBe(201);
    const put = await k.call('PUT', '/api/roles/fine_role', { name: 'fine_role', label, objects: contactGrant({ own: 'last_name' }) });
    expect(put.status).toBe(422);
    expect(put.body.errors[0].field).toBe('objects.contact.read.own');
  });

  it('accepts what fits: user fields, system user fields, filters with $me, $my_teams and $now, and the standard roles', async () => {
    for (const [name, objects] of [
      ['ok_own', contactGrant({ own: 'owner' })],
      ['ok_created', contactGrant({ team: 'created_by' })],
      [
        'ok_filter',
        contactGrant({
          filter: {
            or: [
              { owner: '$me' },
              { owner: { in: '$my_teams' } },
              { created_at: { lt: '$now' } },
              { 'company.name': { contains: '株式会社' } },
            ],
          },
        }),
      ],
      ['ok_star', { '*': { read: 'own', create: 'team' }, case: { read: { team: 'assignee' } } }],
    ] as const) {
      const r = await k.call('POST', '/api/roles', { name, label, objects });
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(201);
    }
    const roles = (await k.call('GET', '/api/roles')).body.data as { name: string; standard: boolean; problems: unknown[] }[];
    for (const r of roles) expect(r.problems, r.name).toEqual([]);
    expect(roles.filter((r) => r.standard).map((r) => r.name)).toEqual(['sales_rep', 'support_agent', 'viewer']);
  });

  it('answers the holders of a role the metadata changed under with 403 naming the role, and lists its problems', async () => {
    const field = (body: Record<string, unknown>) => k.call('POST', '/api/meta/objects/contact/fields', body);
    expect((await field({ name: 'rep', type: 'user', label: { en: 'Rep', ja: '担当' } })).status).toBe(201);
    expect((await field({ name: 'sales_area', type: 'text', label: { en: 'Region', ja: '地域' } })).status).toBe(201);
    expect((await k.call('POST', '/api/roles', { name: 'by_rep', label, objects: contactGrant({ own: 'rep' }) })).status).toBe(201);
    expect(
      (await k.call('POST', '/api/roles', { name: 'by_region', label, objects: contactGrant({ filter: { sales_area: '関東' } }) })).status,
    ).toBe(201);
    // A role saved before roles were checked (an upgrade): its own scope compares a text field
    // with the caller's user id, which was a 500 on every request of its holders.
    const old = { name: 'own_by_text', label, objects: contactGrant({ own: 'last_name' }) };
    await k.db.query(sql`insert into kizuna_roles (name, definition) values (${old.name}, ${JSON.stringify(old)}::jsonb)`);
    await k.people.changed();
    const rep = await holder('rep', 'by_rep');
    const regional = await holder('regional', 'by_region');
    const texty = await holder('texty', 'own_by_text');
    expect((await rep('GET', '/api/records/contact?limit=1')).status).toBe(200);
    expect((await regional('GET', '/api/records/contact?limit=1')).status).toBe(200);

    // The fields go away: an own scope on a missing field, a filter naming an unknown field
    // (a 400 "Unknown field" blaming the request before).
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/rep')).status).toBeLessThan(300);
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/sales_area')).status).toBeLessThan(300);

    for (const [as, role, path] of [
      [rep, 'by_rep', 'objects.contact.read.own'],
      [regional, 'by_region', 'objects.contact.read.filter'],
      [texty, 'own_by_text', 'objects.contact.read.own'],
    ] as const) {
      for (const [method, url, body] of [
        ['GET', '/api/records/contact?limit=1', undefined],
        ['POST', '/api/records/contact/bulk', { records: [{ last_name: '壊れた役割' }], upsert_on: 'last_name' }],
      ] as const) {
        const r = await as(method, url, body);
        expect(r.status, `${role} ${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(JSON.stringify(r.body)).toContain(`role ${role}, ${path} is broken`);
        expect(JSON.stringify(r.body.errors)).toContain(`roles.${role}.${path}`);
      }
    }
    // What the broken scope does not govern still works (create is "all" in these roles).
    expect((await rep('POST', '/api/records/contact', { last_name: '作成は可' })).status).toBe(201);
    const listed = (await k.call('GET', '/api/roles')).body.data as { name: string; problems: { field: string; message: string }[] }[];
    expect(listed.find((r) => r.name === 'by_rep')!.problems).toEqual([
      { field: 'objects.contact.read.own', message: expect.stringMatching(/not a field/) },
    ]);
    expect(listed.find((r) => r.name === 'by_region')!.problems).toEqual([
      { field: 'objects.contact.read.filter', message: expect.stringMatching(/sales_area/) },
    ]);
    expect(listed.find((r) => r.name === 'own_by_text')!.problems).toEqual([
      { field: 'objects.contact.read.own', message: expect.stringMatching(/text field/) },
    ]);
    expect((await k.call('GET', '/api/roles/by_rep')).body.problems).toHaveLength(1);
  });

  it('refuses to install a plugin shipping a role that does not fit, naming the manifest path', async () => {
    const r = await k.call('POST', '/api/plugins/bad_role/install');
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.errors).toEqual([{ field: 'metadata.roles.1.objects.contact.read.own', message: expect.stringMatching(/user field/) }]);
    const names = ((await k.call('GET', '/api/roles')).body.data as { name: string }[]).map((x) => x.name);
    expect(names).not.toContain('plugin_fine');
    expect(names).not.toContain('plugin_by_text');
  });
});
