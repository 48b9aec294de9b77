// Readable history (issue 16, items 4 and 5): the timeline names relation targets by their
// display value (with the caller's permissions) and users by name; the people directory; the
// display template in object metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { kindOfEmail } from '../auth/index.ts';

describe.each(databases)('timeline names and the people directory on %s', (kind) => {
  let k: TestKizuna;
  const users: Record<string, { id: string; key: string }> = {};
  const as = (who: string) => (method: string, path: string, body?: unknown) =>
    k.call(method, path, body, { authorization: `Bearer ${users[who].key}` });
  const create = async (object: string, body: Record<string, unknown>) => {
    const r = await k.call('POST', `/api/records/${object}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string };
  };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    k = await startKizuna(kind);
    const role = {
      name: 'contacts_only',
      label: { en: 'Contacts only', ja: '取引先責任者のみ' },
      objects: { contact: { read: 'all' } },
    };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    for (const [name, roles] of [
      ['山田 花子', ['contacts_only']],
      ['Bob Smith', ['sales_rep']],
    ] as const) {
      const u = await k.call('POST', '/api/users', { email: `${name.split(' ')[1].toLowerCase()}@example.jp`, name, roles });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      users[name] = { id: u.body.id, key: (await k.call('POST', '/api/api-keys', { name, user_id: u.body.id })).body.key };
    }
    ids.acme = (await create('company', { name: 'Acme 株式会社' })).id;
    ids.sample = (await create('company', { name: 'サンプル商事' })).id;
    ids.contact = (await create('contact', { last_name: '佐藤', first_name: '一郎', company: ids.acme, owner: users['山田 花子'].id })).id;
    const r = await k.call('PATCH', `/api/records/contact/${ids.contact}`, { company: ids.sample, owner: users['Bob Smith'].id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
  afterAll(() => k?.close());

  it('names relation targets by their display value and users by name', async () => {
    const t = await k.call('GET', `/api/records/contact/${ids.contact}/timeline`);
    expect(t.status).toBe(200);
    const update = t.body.data.find((e: { action: string }) => e.action === 'update');
    expect(update.changes.company).toEqual({ from: ids.acme, to: ids.sample });
    expect(t.body.names.records.company).toEqual({
      [ids.acme]: { en: 'Acme 株式会社', ja: 'Acme 株式会社' },
      [ids.sample]: { en: 'サンプル商事', ja: 'サンプル商事' },
    });
    expect(t.body.names.people[users['山田 花子'].id]).toEqual({ name: '山田 花子', kind: 'person' });
    expect(t.body.names.people[users['Bob Smith'].id]).toEqual({ name: 'Bob Smith', kind: 'person' });
    // The actor (the admin who made the changes) is named too.
    expect(t.body.names.people[update.actor]).toMatchObject({ kind: 'person' });
  });

  it('leaves a relation target the caller may not read unnamed ("no access"), never its name', async () => {
    const t = await as('山田 花子')('GET', `/api/records/contact/${ids.contact}/timeline`);
    expect(t.status).toBe(200);
    expect(t.body.names.records.company).toEqual({ [ids.acme]: null, [ids.sample]: null });
    expect(JSON.stringify(t.body)).not.toContain('Acme');
    expect(t.body.names.people[users['Bob Smith'].id].name).toBe('Bob Smith');
  });

  it('lets every signed-in user read the directory: id, name, kind and active, nothing else', async () => {
    const r = await as('山田 花子')('GET', '/api/people');
    expect(r.status).toBe(200);
    const bob = r.body.data.find((p: { id: string }) => p.id === users['Bob Smith'].id);
    expect(bob).toEqual({ id: users['Bob Smith'].id, name: 'Bob Smith', kind: 'person', active: true });
    expect(JSON.stringify(r.body)).not.toContain('@example.jp');
    expect((await as('山田 花子')('GET', '/api/people?kind=person')).body.data.every((p: { kind: string }) => p.kind === 'person')).toBe(
      true,
    );
  });

  it('refuses an unknown kind or parameter with 400 naming it', async () => {
    const r = await k.call('GET', '/api/people?kind=robot');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'kind', message: 'must be one of: person, workflow, plugin' }]);
    expect((await k.call('GET', '/api/people?email=x')).status).toBe(400);
  });

  it('lists the users workflows act as with kind "workflow"', async () => {
    const wf = await k.call('POST', '/api/workflows', {
      name: 'Tag new contacts',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'a',
      steps: [{ id: 'a', type: 'update_record', config: { values: { title: 'new' } } }],
    });
    expect(wf.status, JSON.stringify(wf.body)).toBe(201);
    const all = (await as('Bob Smith')('GET', '/api/people')).body.data as { name: string; kind: string }[];
    expect(all.find((p) => p.name === 'Workflow: Tag new contacts')?.kind).toBe('workflow');
    expect((await k.call('GET', '/api/people?kind=person')).body.data.some((p: { kind: string }) => p.kind !== 'person')).toBe(false);
  });

  it("names a contact by its template: 'First Last' in English, family name first in Japanese", async () => {
    const c = await create('company', { name: 'Kizuna' });
    const contact = (await create('contact', { last_name: '山田', first_name: '太郎', company: c.id })).id;
    const other = (await create('contact', { last_name: 'Smith' })).id;
    const kase = (await create('case', { subject: 'Printer', contact })).id;
    await k.call('PATCH', `/api/records/case/${kase}`, { contact: other });
    const t = await k.call('GET', `/api/records/case/${kase}/timeline`);
    expect(t.body.names.records.contact[contact]).toEqual({ en: '太郎 山田', ja: '山田 太郎' });
    // An empty first name is left out, not a stray space.
    expect(t.body.names.records.contact[other]).toEqual({ en: 'Smith', ja: 'Smith' });
    const def = (await k.call('GET', '/api/meta/objects/contact')).body;
    expect(def['x-kizuna'].display).toEqual({ en: '{first_name} {last_name}', ja: '{last_name} {first_name}' });
  });

  describe('display templates in metadata', () => {
    beforeAll(async () => {
      const r = await k.call('POST', '/api/meta/objects', {
        name: 'gadget',
        label: { en: 'Gadget', ja: 'ガジェット' },
        plural: 'gadgets',
        fields: [
          { name: 'title', type: 'text', label: { en: 'Title', ja: '名前' }, required: true },
          { name: 'code', type: 'text', label: { en: 'Code', ja: 'コード' } },
          { name: 'price', type: 'number', label: { en: 'Price', ja: '価格' } },
        ],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    });

    it('takes a template of text fields and can clear it again', async () => {
      const r = await k.call('PATCH', '/api/meta/objects/gadget', { display: { en: '{code}: {title}', ja: '{title}（{code}）' } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect((await k.call('GET', '/api/meta/objects/gadget')).body['x-kizuna'].display).toEqual({
        en: '{code}: {title}',
        ja: '{title}（{code}）',
      });
      expect((await k.call('PATCH', '/api/meta/objects/gadget', { display: null })).status).toBe(200);
      expect((await k.call('GET', '/api/meta/objects/gadget')).body['x-kizuna'].display).toBeUndefined();
    });

    it('refuses a template naming an unknown field, a number field or no field with 422 naming display.<locale>', async () => {
      const unknown = await k.call('PATCH', '/api/meta/objects/gadget', { display: { en: '{nope}', ja: '{title}' } });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toContainEqual({
        field: 'display.en',
        message: 'no field named "nope" in gadget',
        keyword: 'no_such_field',
        params: { name: 'nope' },
      });
      const number = await k.call('PATCH', '/api/meta/objects/gadget', { display: { en: '{title}', ja: '{price}' } });
      expect(number.status).toBe(422);
      expect(number.body.errors.map((e: { field: string }) => e.field)).toEqual(['display.ja']);
      const none = await k.call('PATCH', '/api/meta/objects/gadget', { display: { en: 'plain', ja: '{title}' } });
      expect(none.status).toBe(422);
      expect(none.body.errors.map((e: { field: string }) => e.field)).toContain('display.en');
    });

    it('refuses to delete a field the template uses, naming display', async () => {
      expect((await k.call('PATCH', '/api/meta/objects/gadget', { display: { en: '{code} {title}', ja: '{title}' } })).status).toBe(200);
      const r = await k.call('DELETE', '/api/meta/objects/gadget/fields/code');
      expect(r.status).toBe(409);
      expect(r.body.errors).toEqual([{ field: 'display', message: 'uses this field', keyword: 'in_use' }]);
    });
  });
});

describe('kindOfEmail', () => {
  it("tells workflows' and plugins' users from people by their address", () => {
    expect(kindOfEmail('workflow-1@workflows.kizuna.invalid')).toBe('workflow');
    expect(kindOfEmail('dedupe@plugins.kizuna.invalid')).toBe('plugin');
    expect(kindOfEmail('taro@example.jp')).toBe('person');
  });
});
