// The service plugin's case lifecycle and SLA clock through the HTTP API, on PGlite and
// PostgreSQL: policies chosen by conditions, due times in business minutes (weekend, 祝日,
// 年末年始), pause and resume, resolution required, first response and reopen by messages,
// breaches fired once (two turns, and two Kizuna instances on one database), recompute after
// a calendar change. Expected due times are counted by hand from the calendars below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, publishWorkflow, settledRuns, startKizuna, type TestKizuna } from 'kizuna/testing';

const weekdays = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const allDay = [['00:00', '24:00']];
const MINUTE = 60_000;
const minutesBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / MINUTE;

describe.each(databases)('service plugin SLA on %s', (kind) => {
  let k: TestKizuna;
  let desk: string;
  let always: string;
  const policies: Record<string, string> = {};

  const create = async (values: Record<string, unknown>) => {
    const r = await k.call('POST', '/api/records/case', values);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const get = async (id: string) => (await k.call('GET', `/api/records/case/${id}`)).body;
  const patch = (id: string, values: Record<string, unknown>) => k.call('PATCH', `/api/records/case/${id}`, values);
  const policy = async (values: Record<string, unknown>) => {
    const r = await k.call('POST', '/api/records/sla_policy', values);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };

  beforeAll(async () => {
    k = await startKizuna(kind);
    const installed = await k.call('POST', '/api/plugins/service/install');
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    // A "pending" status, as an admin adds it; the plugin's default mapping makes it pending.
    const def = (await k.call('GET', '/api/meta/objects/case')).body;
    const status = def.properties.status['x-kizuna'];
    const options = [...status.options, { value: 'pending', label: { en: 'Pending', ja: '保留' } }];
    const added = await k.call('PATCH', '/api/meta/objects/case/fields/status', { options });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    desk = (
      await k.call('POST', '/api/records/calendar', {
        name: '東京サポート',
        time_zone: 'Asia/Tokyo',
        weekly_hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
      })
    ).body.id;
    const closed = ['2025-12-29', '2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02', '2026-01-03'].map((date) => ({
      calendar: desk,
      date,
      kind: 'closed',
      label_ja: '年末年始',
    }));
    expect((await k.call('POST', '/api/records/calendar_exception/bulk', { records: closed })).status).toBe(200);
    always = (
      await k.call('POST', '/api/records/calendar', {
        name: '24/7',
        time_zone: 'UTC',
        use_japanese_holidays: false,
        weekly_hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, allDay])),
      })
    ).body.id;
    policies.urgent = await policy({
      name: 'Urgent',
      order: 10,
      conditions: { priority: { in: ['urgent'] } },
      calendar: desk,
      first_response_minutes: 60,
      resolution_minutes: 240,
    });
    policies.enterprise = await policy({
      name: 'Enterprise',
      order: 20,
      conditions: { 'company.size': '1001_plus' },
      calendar: desk,
      first_response_minutes: 120,
      resolution_minutes: 1000,
    });
    policies.phone = await policy({
      name: 'Phone, around the clock',
      order: 30,
      conditions: { channel: 'phone' },
      calendar: always,
      first_response_minutes: 30,
      resolution_minutes: 120,
      warn_at_percent: 50,
    });
    policies.standard = await policy({
      name: 'Standard',
      order: 100,
      calendar: desk,
      first_response_minutes: 480,
      resolution_minutes: 2400,
    });
  });
  let other: TestKizuna | undefined;
  afterAll(async () => {
    await other?.close();
    // On PGlite the second instance shared (and closed) the first's database.
    await (kind === 'pglite' && other ? k.close().catch(() => {}) : k?.close());
  });

  it('chooses the first matching policy by order, through a relation too, and again when the priority changes', async () => {
    const big = (await k.call('POST', '/api/records/company', { name: '大手商事株式会社', size: '1001_plus' })).body.id;
    const a = await create({ subject: '止まった', priority: 'urgent', company: big });
    const b = await create({ subject: '請求書', priority: 'medium', company: big });
    const c = await create({ subject: '質問', priority: 'low' });
    expect([a.sla_policy, b.sla_policy, c.sla_policy]).toEqual([policies.urgent, policies.enterprise, policies.standard]);
    expect(c.sla_status).toBe('on_track');
    expect(c.status_category).toBe('open');
    const raised = await patch(c.id, { priority: 'urgent' });
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(raised.body.sla_policy).toBe(policies.urgent);
    expect(raised.body.resolution_due).not.toBe(c.resolution_due);
  });

  it('counts due times in business minutes over the weekend, 年末年始 and a 祝日', async () => {
    // Friday 2025-12-26 17:00 JST: 60 minutes that day, then closed to Sunday 2026-01-04
    // (weekend, 年末年始), Monday 01-05 480, Tuesday 01-06 180 + 280 → 17:40.
    const yearEnd = await create({
      subject: '年末の問い合わせ',
      sla_policy: policies.enterprise,
      sla_started_at: '2025-12-26T17:00:00+09:00',
    });
    expect(yearEnd.first_response_due).toBe('2026-01-05T01:00:00.000Z'); // 60 Friday + 60 Monday → 10:00 JST
    expect(yearEnd.resolution_due).toBe('2026-01-06T08:40:00.000Z');
    // Friday 2026-11-20 17:00 JST: 60 that day; Monday 11-23 is 勤労感謝の日; Tuesday 180 → 12:00.
    const holiday = await create({ subject: '祝日前', priority: 'urgent', sla_started_at: '2026-11-20T17:00:00+09:00' });
    expect(holiday.first_response_due).toBe('2026-11-20T09:00:00.000Z');
    expect(holiday.resolution_due).toBe('2026-11-24T03:00:00.000Z');
    // The list filters on the stored due times ("due before …").
    const due = await k.call(
      'GET',
      `/api/records/case?filter=${encodeURIComponent(JSON.stringify({ resolution_due: { lte: '2026-01-07T00:00:00Z' } }))}&fields=subject`,
    );
    expect(due.body.data.map((r: { id: string }) => r.id)).toContain(yearEnd.id);
  });

  it('pauses while pending with the business minutes left, and resumes from now', async () => {
    const started = new Date(Date.now() - 30 * MINUTE).toISOString();
    const c = await create({ subject: '電話', channel: 'phone', sla_started_at: started });
    expect(c.sla_policy).toBe(policies.phone);
    expect(minutesBetween(c.sla_started_at, c.resolution_due)).toBe(120);
    const paused = (await patch(c.id, { status: 'pending' })).body;
    expect(paused.status_category).toBe('pending');
    expect(paused.sla_status).toBe('paused');
    expect(paused.resolution_due).toBeNull();
    expect(paused.sla_paused_at).not.toBeNull();
    // 30 minutes ran (31 when a minute turned between the two writes).
    expect(paused.sla_remaining_minutes).toBeGreaterThanOrEqual(89);
    expect(paused.sla_remaining_minutes).toBeLessThanOrEqual(90);
    const resumed = (await patch(c.id, { status: 'open' })).body;
    expect(resumed.sla_status).toBe('on_track');
    expect(resumed.sla_paused_at).toBeNull();
    expect(minutesBetween(resumed.sla_resumed_at, resumed.resolution_due)).toBe(paused.sla_remaining_minutes);
  });

  it('refuses to resolve without a resolution code and note (422 naming each), and resolves with them', async () => {
    const c = await create({ subject: 'ログインできない' });
    const r = await patch(c.id, { status: 'resolved' });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['resolution', 'resolution_code']);
    const ok = await patch(c.id, { status: 'resolved', resolution_code: 'solved', resolution: 'パスワードを再設定' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status_category: 'resolved', sla_status: 'met', resolution_due: null });
    expect(ok.body.resolved_at).not.toBeNull();
  });

  it('records the first response from an outbound message and reopens on an inbound one', async () => {
    const c = await create({ subject: '返信待ち' });
    const out = await k.call('POST', '/api/records/message', { subject: 'Re: 返信待ち', direction: 'outbound', case: c.id });
    expect(out.status, JSON.stringify(out.body)).toBe(201);
    const answered = await get(c.id);
    expect(answered.first_responded_at).not.toBeNull();
    expect(answered.first_response_due).toBe(c.first_response_due); // kept: met or missed is read against it
    await patch(c.id, { status: 'resolved', resolution_code: 'workaround', resolution: '回避策を案内' });
    await k.call('POST', '/api/records/message', { subject: 'Re: まだ', direction: 'inbound', case: c.id });
    const reopened = await get(c.id);
    expect(reopened).toMatchObject({ status: 'open', status_category: 'open', sla_status: 'on_track', resolved_at: null });
    expect(reopened.resolution_due).not.toBeNull();
  });

  it('refuses writes to the clock fields and policies with conditions it cannot match (422 naming the field)', async () => {
    const c = await create({ subject: 'x' });
    const r = await patch(c.id, { resolution_breached: false, resolution_due: null });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['resolution_breached', 'resolution_due']);
    const unknown = await k.call('POST', '/api/records/sla_policy', { name: 'bad', calendar: desk, conditions: { nosuch: 'x' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toMatch(/^conditions/);
    const op = await k.call('POST', '/api/records/sla_policy', {
      name: 'bad2',
      calendar: desk,
      conditions: { subject: { contains: 'x' } },
    });
    expect(op.status).toBe(422);
    expect(op.body.errors[0].field).toBe('conditions.subject.contains');
  });

  it('warns once when the warning time passes', async () => {
    // 50 % of 30 minutes on the 24/7 calendar: started 20 minutes ago, the first-response warning is due.
    const c = await create({ subject: '警告', channel: 'phone', sla_started_at: new Date(Date.now() - 20 * MINUTE).toISOString() });
    expect(c.sla_status).toBe('on_track');
    // Two turns (the clock job may take a third): the warning is one change of the case.
    for (const turn of [1, 2]) expect((await k.call('POST', '/api/plugins/service/sla/clock')).status, `turn ${turn}`).toBe(200);
    expect((await get(c.id)).sla_status).toBe('warning');
    const entries = (await k.call('GET', `/api/records/case/${c.id}/timeline`)).body.data as {
      changes?: Record<string, { to?: unknown }>;
    }[];
    expect(entries.filter((e) => e.changes?.sla_status?.to === 'warning')).toHaveLength(1);
  });

  it('recomputes the due times of open cases when their policy changes and when their calendar gets a closed day', async () => {
    const c = await create({ subject: '再計算', channel: 'phone' });
    const span = async () => {
      const now = await get(c.id);
      return minutesBetween(now.sla_resumed_at, now.resolution_due);
    };
    expect(await span()).toBe(120);
    expect((await k.call('PATCH', `/api/records/sla_policy/${policies.phone}`, { resolution_minutes: 3000 })).status).toBe(200);
    await expect.poll(span).toBe(3000);
    // Tomorrow (UTC) lies wholly inside the next 3000 minutes: closing it moves the due time a day.
    const tomorrow = new Date(Date.now() + 24 * 60 * MINUTE).toISOString().slice(0, 10);
    const made = await k.call('POST', '/api/records/calendar_exception', { calendar: always, date: tomorrow, kind: 'closed' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await expect.poll(span).toBe(3000 + 1440);
  });

  it('fires each breach once: a workflow on the flag runs once per case, two instances and their clock jobs racing', async () => {
    const wf = await publishWorkflow(k, {
      name: 'escalate on breach',
      trigger: { type: 'record.updated', object: 'case', fields: ['resolution_breached'], condition: { resolution_breached: true } },
      start: 'x',
      steps: [{ id: 'x', type: 'wait', config: { seconds: 0 } }],
    });
    // A second Kizuna on the same database (its own clock job runs too, as does the first's).
    other = await startKizuna(kind, kind === 'pglite' ? { pglite: k.pglite } : { schema: k.schema });
    const late: string[] = [];
    const madeAt = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 12; i++)
      late.push((await create({ subject: `遅延 ${i}`, priority: 'urgent', sla_started_at: '2026-11-20T17:00:00+09:00' })).id);
    const turns = await Promise.all([
      k.call('POST', '/api/plugins/service/sla/clock'),
      other.call('POST', '/api/plugins/service/sla/clock'),
      other.call('POST', '/api/plugins/service/sla/clock'),
    ]);
    for (const t of turns) expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect((await k.call('POST', '/api/plugins/service/sla/clock')).body.breached).toBe(0);
    for (const id of late) {
      const c = await get(id);
      expect(c).toMatchObject({ resolution_breached: true, first_response_breached: true, sla_status: 'breached' });
      expect(Date.parse(c.sla_breached_at)).toBeGreaterThan(Date.parse(c.resolution_due));
    }
    // "Breached since the cases were made" finds them through the stored, indexed field.
    const since = await k.call(
      'GET',
      `/api/records/case?fields=subject&limit=100&filter=${encodeURIComponent(JSON.stringify({ sla_breached_at: { gte: madeAt } }))}`,
    );
    expect(since.body.data.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(late));
    await settledRuns(k, wf, late.length);
    await k.call('POST', '/api/plugins/service/sla/clock');
    const runs = (await settledRuns(k, wf, late.length)).filter((r) => late.includes(r.record_id!));
    expect(runs.map((r) => r.record_id).sort()).toEqual([...late].sort());
    // Each breach is one change of its case, by whichever turn won.
    for (const id of late) {
      const entries = (await k.call('GET', `/api/records/case/${id}/timeline`)).body.data as {
        changes?: Record<string, { to?: unknown }>;
      }[];
      expect(entries.filter((e) => e.changes?.resolution_breached?.to === true)).toHaveLength(1);
    }
  });
});
