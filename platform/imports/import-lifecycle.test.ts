// The life of an import and who may run it: start options refused up front, cancel, the list
// of one's imports, delete, a scoped caller's rows and create_missing, and an owner whose
// access ends mid-import — through the HTTP API on PGlite and (with DATABASE_URL) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { count, finished, upload } from '../testing/imports.ts';

describe.each(databases)('import lifecycle on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
  }, 60_000);
  afterAll(async () => k?.close());

  it('does not let a viewer import', async () => {
    const key = (await k.call('POST', '/api/api-keys', { name: 'viewer', role: 'viewer' })).body.key;
    const r = await upload(k, 'last_name\nYamada\n', 'object=contact', key);
    expect(r.status).toBe(403);
  });

  it('refuses start options that could only fail later, and a cancel of a finished import', async () => {
    const up = await upload(k, 'last_name,email\nOpt,opt@example.jp\n');
    const start = (body: unknown) => k.call('POST', `/api/imports/${up.body.id}/start`, body);
    const mapping = { last_name: 'last_name', email: null };
    for (const [body, field] of [
      [{ mapping, upsert_on: [] }, 'upsert_on'],
      [{ mapping, upsert_on: 'email' }, 'upsert_on'], // email is not mapped to a column
      [{ mapping: { last_name: 'last_name', email: 'email' }, upsert_on: ['email', 'phone'] }, 'upsert_on'],
      [{ mapping, utc_offset: '+99:00' }, 'utc_offset'],
      [{ mapping, utc_offset: '+14:30' }, 'utc_offset'],
    ] as const) {
      const r = await start(body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.errors[0].field).toBe(field);
    }
    const ok = await start({
      mapping: { last_name: 'last_name', email: 'email' },
      upsert_on: 'email',
      utc_offset: '-12:00',
      mode: 'partial',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    await finished(k, up.body.id);
    const cancel = await k.call('POST', `/api/imports/${up.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.errors[0]).toMatchObject({ field: 'id', message: 'is succeeded' });
  });

  it("lists the caller's imports newest first, page by page, and deletes one that is not running", async () => {
    const a = await upload(k, 'last_name\nListA\n', 'object=company&filename=a.csv');
    const b = await upload(k, 'last_name\nListB\n', 'object=company&filename=b.csv');
    const first = await k.call('GET', '/api/imports?object=company&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.data.map((i: { id: string }) => i.id)).toEqual([b.body.id]);
    expect(first.body.data[0]).toMatchObject({ object: 'company', filename: 'b.csv', state: 'uploaded', columns: ['last_name'] });
    const second = await k.call('GET', `/api/imports?object=company&limit=1&cursor=${first.body.page.next_cursor}`);
    expect(second.body.data.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
    expect((await k.call('GET', '/api/imports?limit=0')).status).toBe(400);
    expect((await k.call('GET', '/api/imports?cursor=nonsense')).status).toBe(400);
    expect((await k.call('GET', '/api/imports?object=nope')).status).toBe(404);

    // Someone else's imports are neither listed nor deletable.
    const user = (await k.call('POST', '/api/users', { email: 'importer@example.jp', name: 'Importer', roles: ['sales_rep'] })).body;
    const key = (await k.call('POST', '/api/api-keys', { name: 'importer', user_id: user.id })).body.key;
    const theirs = await k.call('GET', '/api/imports', undefined, { authorization: `Bearer ${key}` });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
    expect((await k.call('DELETE', `/api/imports/${a.body.id}`, undefined, { authorization: `Bearer ${key}` })).status).toBe(404);

    expect((await k.call('DELETE', `/api/imports/${a.body.id}`)).status).toBe(204);
    expect((await k.call('GET', `/api/imports/${a.body.id}`)).status).toBe(404);
    expect((await k.call('DELETE', `/api/imports/${a.body.id}`)).status).toBe(404);
    const rest = (await k.call('GET', '/api/imports?object=company')).body.data.map((i: { id: string }) => i.id);
    expect(rest).toContain(b.body.id);
    expect(rest).not.toContain(a.body.id);
  });

  it("checks a scoped caller's rows in preview and in all_or_nothing's first pass, and refuses create_missing it may not do", async () => {
    const made = await k.call('POST', '/api/roles', {
      name: 'contact_importer',
      label: { en: 'Contact importer', ja: '連絡先インポート担当' },
      objects: {
        contact: { read: 'all', create: 'own', update: 'own', delete: 'none' },
        company: { read: 'all', create: 'none', update: 'none', delete: 'none' },
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const user = (await k.call('POST', '/api/users', { email: 'scoped.importer@example.jp', name: 'Scoped', roles: ['contact_importer'] }))
      .body;
    const key = (await k.call('POST', '/api/api-keys', { name: 'scoped', user_id: user.id })).body.key;
    const as = { authorization: `Bearer ${key}` };
    const [admin] = (await k.call('GET', '/api/users')).body.data.filter((u: { is_admin: boolean }) => u.is_admin);
    const before = await count(k);
    const up = await upload(
      k,
      `last_name,owner,company\nMine,${user.id},\nTheirs,${admin.id},\nNew Co,${user.id},Brand New KK\n`,
      'object=contact&filename=scoped.csv',
      key,
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const mapping = { last_name: 'last_name', owner: 'owner', company: null };
    const preview = (
      await k.call('GET', `/api/imports/${up.body.id}/preview?mapping=${encodeURIComponent(JSON.stringify(mapping))}`, undefined, as)
    ).body;
    expect(preview.rows.map((r: { errors: { field: string }[] }) => r.errors.map((e) => e.field))).toEqual([[], ['owner'], []]);
    await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'all_or_nothing', mapping }, as);
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'failed', phase: 'validating', rows_failed: 1, created: 0 });
    expect(await count(k)).toBe(before);
    // create_missing would create companies, which this role may not: refused at once, naming it.
    const full = { ...mapping, company: 'company' };
    const pre = await k.call(
      'GET',
      `/api/imports/${up.body.id}/preview?create_missing=company&mapping=${encodeURIComponent(JSON.stringify(full))}`,
      undefined,
      as,
    );
    expect(pre.status).toBe(403);
    expect(pre.body.errors[0].field).toBe('create_missing');
    const again = await upload(k, 'last_name,company\nX,Another New KK\n', 'object=contact&filename=scoped2.csv', key);
    const started = await k.call(
      'POST',
      `/api/imports/${again.body.id}/start`,
      { mode: 'partial', mapping: { last_name: 'last_name', company: 'company' }, create_missing: ['company'] },
      as,
    );
    expect(started.status).toBe(403);
    expect(started.body.errors[0].field).toBe('create_missing');
  });

  it('stops a running import when the key that started it is revoked, keeping what was written', async () => {
    const small = await startKizuna(kind, { importBatchSize: 20, jobPollMs: 20 });
    try {
      const key = (await small.call('POST', '/api/api-keys', { name: 'revoked mid-import' })).body;
      const rows = Array.from({ length: 20_000 }, (_, i) => `Rev${i}`).join('\n');
      const up = await upload(small, `last_name\n${rows}\n`, 'object=contact&filename=rev.csv', key.key);
      expect(
        (
          await small.call(
            'POST',
            `/api/imports/${up.body.id}/start`,
            { mode: 'partial', mapping: { last_name: 'last_name' } },
            { authorization: `Bearer ${key.key}` },
          )
        ).status,
      ).toBe(202);
      await expect
        .poll(async () => (await small.call('GET', `/api/imports/${up.body.id}`)).body.created, { timeout: 30_000 })
        .toBeGreaterThan(0);
      expect((await small.call('DELETE', `/api/api-keys/${key.id}`)).status).toBe(204);
      const done = await finished(small, up.body.id);
      expect(done.state).toBe('failed');
      expect(done.error).toMatch(/no longer has access/);
      expect(done.created).toBeLessThan(20_000);
      expect(await count(small)).toBe(done.created);
    } finally {
      await small.close();
    }
  }, 60_000);

  it('refuses to delete a running import (409) and deletes it with its error report once done', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Del${i},${i % 10 === 0 ? 'bad' : `del${i}@example.jp`}`).join('\n');
    const up = await upload(k, `last_name,email\n${rows}\n`);
    await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: { last_name: 'last_name', email: 'email' } });
    const early = await k.call('DELETE', `/api/imports/${up.body.id}`);
    const done = await finished(k, up.body.id);
    // Asked right after the start: the job is queued or running (3000 rows take far longer than a request).
    expect(early.status).toBe(409);
    expect(early.body.errors[0].field).toBe('id');
    expect(done.rows_failed).toBe(300);
    expect((await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
      200,
    );
    const jobOf = () => k.db.query(sql`select 1 from kizuna_jobs where payload->>'import_id' = ${up.body.id}`);
    expect(await jobOf()).toHaveLength(1);
    expect((await k.call('DELETE', `/api/imports/${up.body.id}`)).status).toBe(204);
    expect((await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
      404,
    );
    expect(await jobOf()).toHaveLength(0);
    // The records it wrote stay.
    const written = await k.call(
      'GET',
      `/api/records/contact?count=true&limit=1&filter=${encodeURIComponent(JSON.stringify({ last_name: { starts_with: 'Del' } }))}`,
    );
    expect(written.body.page.total).toBe(2700);
  });
});
