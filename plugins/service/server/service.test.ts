// The service plugin through the HTTP API, as a client sees it: installing it, calendars and
// their exceptions checked on write, and the business-minute routes, on PGlite and PostgreSQL.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, finished, repoRoot, startKizuna, upload, type TestKizuna } from 'kizuna/testing';

const weekdays = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];

describe.each(databases)('service plugin calendars on %s', (kind) => {
  let k: TestKizuna;
  let desk: string;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  beforeAll(async () => {
    k = await startKizuna(kind);
    const listed = await k.call('GET', '/api/plugins');
    expect(JSON.stringify(listed.body)).toContain('"service"');
    const r = await k.call('POST', '/api/plugins/service/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const made = await k.call('POST', '/api/records/calendar', {
      name: '東京サポート',
      time_zone: 'asia/tokyo',
      weekly_hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    desk = made.body.id;
    // 年末年始 as an admin would import it: one closed row a day.
    const closed = ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'].map((date) => ({
      calendar: desk,
      date,
      kind: 'closed',
      label_en: 'Year-end holidays',
      label_ja: '年末年始',
    }));
    const bulk = await k.call('POST', '/api/records/calendar_exception/bulk', { records: closed });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    const saturday = await k.call('POST', '/api/records/calendar_exception', {
      calendar: desk,
      date: '2026-12-26',
      kind: 'open',
      hours: [['10:00', '15:00']],
    });
    expect(saturday.status, JSON.stringify(saturday.body)).toBe(201);
  });
  afterAll(async () => k?.close());

  it('stores the time zone as IANA spells it and rejects an unknown one with 422 naming time_zone', async () => {
    expect((await k.call('GET', `/api/records/calendar/${desk}`)).body.time_zone).toBe('Asia/Tokyo');
    const r = await k.call('POST', '/api/records/calendar', { name: 'Nowhere', time_zone: 'Mars/Olympus_Mons', weekly_hours: {} });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'time_zone' })]);
    const offset = await k.call('PATCH', `/api/records/calendar/${desk}`, { time_zone: '+09:00' });
    expect(offset.status).toBe(422);
    expect(offset.body.errors[0].field).toBe('time_zone');
  });

  it('rejects overlapping, reversed and out-of-day weekly ranges with 422 naming each range', async () => {
    const r = await k.call('PATCH', `/api/records/calendar/${desk}`, {
      weekly_hours: {
        mon: [
          ['09:00', '13:00'],
          ['12:00', '18:00'],
        ],
        tue: [['18:00', '09:00']],
        sat: [['10:00', '25:00']],
        holiday: [],
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'weekly_hours.mon[1]',
      'weekly_hours.tue[0]',
      'weekly_hours.sat[0]',
      'weekly_hours.holiday',
    ]);
  });

  it('checks exceptions: an open day needs hours, a closed one has none, one exception a day', async () => {
    const open = await k.call('POST', '/api/records/calendar_exception', { calendar: desk, date: '2026-08-13', kind: 'open' });
    expect(open.status).toBe(422);
    expect(open.body.errors[0].field).toBe('hours');
    const closed = await k.call('POST', '/api/records/calendar_exception', {
      calendar: desk,
      date: '2026-08-13',
      kind: 'closed',
      hours: [['09:00', '10:00']],
    });
    expect(closed.status).toBe(422);
    expect(closed.body.errors[0].field).toBe('hours');
    const again = await k.call('POST', '/api/records/calendar_exception', {
      calendar: desk,
      date: '2026-12-29',
      kind: 'open',
      hours: [['09:00', '10:00']],
    });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('date');
    // Changing a closed day to open without hours is caught on update too (the stored record counts).
    const row = (
      await k.call('GET', `/api/records/calendar_exception?${q({ filter: JSON.stringify({ calendar: desk, date: '2026-12-29' }) })}`)
    ).body.data[0];
    const patch = await k.call('PATCH', `/api/records/calendar_exception/${row.id}`, { kind: 'open' });
    expect(patch.status).toBe(422);
    expect(patch.body.errors[0].field).toBe('hours');
  });

  it('imports a year of company holidays from a CSV, one row a day, refusing a bad row by its field', async () => {
    // お盆 as an admin keeps it in a spreadsheet; the calendar named by its name; one row an open day without hours.
    const csv = [
      'calendar,date,kind,hours,label_en,label_ja',
      '東京サポート,2026-08-13,closed,,Obon,お盆',
      '東京サポート,2026-08-14,closed,,Obon,お盆',
      '東京サポート,2026-08-15,closed,,Obon,お盆',
      '東京サポート,2026-08-17,open,,Obon (late opening),お盆明け',
    ].join('\n');
    const up = await upload(k, csv, 'object=calendar_exception&filename=obon.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const start = await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial' });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 3, rows_failed: 1 });
    const errors = await (
      await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(errors).toMatch(/hours/);
    // Wednesday 8/12 17:00 + 2 hours: one that day, お盆 (8/13–15) and Sunday closed, the second
    // on Monday 8/17 at normal hours (its refused row changed nothing): 10:00 JST.
    const r = await k.call('GET', `/api/plugins/service/calendars/${desk}/add?${q({ from: '2026-08-12T17:00:00+09:00', minutes: '120' })}`);
    expect(r.body.due).toBe('2026-08-17T01:00:00.000Z');
  });

  it('adds business minutes across 年末年始 and an open Saturday', async () => {
    const r = await k.call('GET', `/api/plugins/service/calendars/${desk}/add?${q({ from: '2026-12-28T17:30:00+09:00', minutes: '60' })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ calendar: desk, from: '2026-12-28T08:30:00.000Z', minutes: 60, due: '2027-01-04T00:30:00.000Z' });
    const sat = await k.call(
      'GET',
      `/api/plugins/service/calendars/${desk}/add?${q({ from: '2026-12-25T17:00:00+09:00', minutes: '120' })}`,
    );
    expect(sat.body.due).toBe('2026-12-26T02:00:00.000Z'); // Saturday 11:00 JST
  });

  it('answers from the calendar as it is now: an exception added, changed or removed counts at once', async () => {
    const due = async () =>
      (await k.call('GET', `/api/plugins/service/calendars/${desk}/add?${q({ from: '2026-12-28T17:30:00+09:00', minutes: '60' })}`)).body
        .due;
    expect(await due()).toBe('2027-01-04T00:30:00.000Z');
    const extra = await k.call('POST', '/api/records/calendar_exception', {
      calendar: desk,
      date: '2027-01-04',
      kind: 'closed',
      label_ja: '仕事始め延期',
    });
    expect(extra.status, JSON.stringify(extra.body)).toBe(201);
    expect(await due()).toBe('2027-01-05T00:30:00.000Z');
    const opened = await k.call('PATCH', `/api/records/calendar_exception/${extra.body.id}`, { kind: 'open', hours: [['13:00', '14:00']] });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(await due()).toBe('2027-01-04T04:30:00.000Z'); // 13:30 JST
    expect((await k.call('DELETE', `/api/records/calendar_exception/${extra.body.id}`)).status).toBe(204);
    expect(await due()).toBe('2027-01-04T00:30:00.000Z');
  });

  it('shows each day with its hours and what decided them: weekday, 祝日, exception with its label', async () => {
    const r = await k.call('GET', `/api/plugins/service/calendars/${desk}/days?${q({ from: '2026-12-26', days: '10' })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.time_zone).toBe('Asia/Tokyo');
    const byDate = Object.fromEntries(r.body.days.map((d: { date: string }) => [d.date, d]));
    expect(r.body.days).toHaveLength(10);
    expect(byDate['2026-12-26']).toMatchObject({ weekday: 'sat', hours: [['10:00', '15:00']], source: 'exception' });
    expect(byDate['2026-12-27']).toMatchObject({ weekday: 'sun', hours: [], source: 'weekday' });
    expect(byDate['2026-12-28']).toMatchObject({ hours: weekdays, source: 'weekday' });
    expect(byDate['2027-01-01']).toMatchObject({
      hours: [],
      source: 'exception',
      label: { en: 'Year-end holidays', ja: '年末年始' },
      holiday: { ja: '元日' },
    });
    expect(byDate['2027-01-04']).toMatchObject({ hours: weekdays, source: 'weekday' });
    const gw = await k.call('GET', `/api/plugins/service/calendars/${desk}/days?${q({ from: '2026-05-06', days: '1' })}`);
    expect(gw.body.days[0]).toMatchObject({ hours: [], source: 'holiday', holiday: { ja: expect.stringContaining('振替休日') } });
    const bad = await k.call('GET', `/api/plugins/service/calendars/${desk}/days?${q({ from: '2026-13-01', days: '400' })}`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['from', 'days']);
  });

  it('counts business minutes between two instants, and leaves pauses out', async () => {
    const r = await k.call(
      'GET',
      `/api/plugins/service/calendars/${desk}/between?${q({ from: '2026-12-21T00:00:00+09:00', to: '2027-01-05T00:00:00+09:00' })}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // 12/21–25 and 12/28: six days of 8 hours, Saturday 12/26: 5 hours, 1/4: 8 hours.
    expect(r.body.minutes).toBe(7 * 480 + 300);
    const e = await k.call('POST', `/api/plugins/service/calendars/${desk}/elapsed`, {
      from: '2026-12-21T09:00:00+09:00',
      to: '2026-12-21T18:00:00+09:00',
      pauses: [{ from: '2026-12-21T10:00:00+09:00', to: '2026-12-21T14:00:00+09:00' }],
    });
    expect(e.status, JSON.stringify(e.body)).toBe(200);
    expect(e.body).toMatchObject({ minutes: 480 - 180, paused_minutes: 180 });
  });

  it('answers problem+json for bad input: 422 naming from, to and minutes, 404 for an unknown calendar', async () => {
    const bad = await k.call('GET', `/api/plugins/service/calendars/${desk}/add?${q({ from: '2026-12-28 17:30', minutes: '-5' })}`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['from', 'minutes']);
    for (const from of [
      '2026-02-30T10:00:00Z',
      '2026-12-28T24:00:00Z',
      '2026-12-28T17:30:00',
      '1969-12-31T23:59:00Z',
      '2200-01-01T00:00:00Z',
    ]) {
      const r = await k.call('GET', `/api/plugins/service/calendars/${desk}/add?${q({ from, minutes: '5' })}`);
      expect(r.status, from).toBe(422);
      expect(r.body.errors, from).toEqual([expect.objectContaining({ field: 'from' })]);
    }
    const noTo = await k.call('GET', `/api/plugins/service/calendars/${desk}/between?${q({ from: '2026-12-28T17:30:00Z' })}`);
    expect(noTo.status).toBe(422);
    expect(noTo.body.errors.map((e: { field: string }) => e.field)).toEqual(['to']);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'no-such-calendar']) {
      const unknown = await k.call('GET', `/api/plugins/service/calendars/${id}/add?${q({ from: '2026-12-28T17:30:00Z', minutes: '5' })}`);
      expect(unknown.status, id).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    }
    const reversed = await k.call('POST', `/api/plugins/service/calendars/${desk}/elapsed`, {
      from: '2026-12-22T00:00:00Z',
      to: '2026-12-21T00:00:00Z',
    });
    expect(reversed.status).toBe(422);
    expect(reversed.body.errors[0].field).toBe('to');
  });

  it('refuses, with 422 naming minutes, an answer past the Japanese holiday data (2050)', async () => {
    const r = await k.call(
      'GET',
      `/api/plugins/service/calendars/${desk}/add?${q({ from: '2050-12-30T09:00:00+09:00', minutes: '10000' })}`,
    );
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'minutes' });
    expect(r.body.errors[0].message).toMatch(/1970–2050/);
  });

  it('lets a user who may read calendars ask (a viewer), and no one else', async () => {
    const keyOf = async (email: string, roles: string[]) => {
      const u = await k.call('POST', '/api/users', { email, name: email, roles });
      return { authorization: `Bearer ${(await k.call('POST', '/api/api-keys', { name: email, user_id: u.body.id })).body.key}` };
    };
    const path = `/api/plugins/service/calendars/${desk}/between?${q({ from: '2026-12-21T00:00:00Z', to: '2026-12-22T00:00:00Z' })}`;
    const viewer = await k.call('GET', path, undefined, await keyOf('viewer@example.jp', ['viewer']));
    expect(viewer.status, JSON.stringify(viewer.body)).toBe(200);
    expect(viewer.body.minutes).toBe(480);
    expect((await k.call('GET', path, undefined, await keyOf('nobody@example.jp', []))).status).toBe(403);
  });

  it('is off while disabled (its routes 404), and refuses to answer from a calendar written meanwhile without its checks', async () => {
    expect((await k.call('POST', '/api/plugins/service/disable')).status).toBe(204);
    const path = (id: string) =>
      `/api/plugins/service/calendars/${id}/between?${q({ from: '2026-12-21T00:00:00Z', to: '2026-12-22T00:00:00Z' })}`;
    expect((await k.call('GET', path(desk))).status).toBe(404);
    // With the plugin off nothing checks the writes (as for any plugin's hooks).
    const bad = await k.call('POST', '/api/records/calendar', {
      name: 'Unchecked',
      time_zone: 'Mars/Olympus_Mons',
      weekly_hours: { mon: [['18:00', '09:00']] },
    });
    expect(bad.status).toBe(201);
    expect((await k.call('POST', '/api/plugins/service/enable')).status).toBe(204);
    expect((await k.call('GET', path(desk))).body.minutes).toBe(480);
    const r = await k.call('GET', path(bad.body.id));
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['calendar.time_zone', 'calendar.weekly_hours.mon[0]']);
  });

  it('publishes its routes with their query parameters in /api/openapi.json, lint-clean', async () => {
    const doc = (await k.call('GET', '/api/openapi.json')).body;
    const add = doc.paths['/api/plugins/service/calendars/{id}/add'].get;
    expect(add.tags).toEqual(['plugin:service']);
    expect(add.parameters.map((p: { name: string; in: string; required: boolean }) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['from', 'query', true],
      ['minutes', 'query', true],
    ]);
    expect(add.responses['422']).toBeDefined();
    expect(doc.paths['/api/plugins/service/calendars/{id}/elapsed'].post.requestBody).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'kizuna-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      const result = await promisify(execFile)(
        'npx',
        ['redocly', 'lint', file, '--format=json', '--config', join(repoRoot, 'redocly.yaml')],
        {
          cwd: repoRoot,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
          maxBuffer: 20 * 1024 * 1024,
        },
      ).catch((e: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`redocly lint exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
      });
      expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))).problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
