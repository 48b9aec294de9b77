// The clock's state machine and the condition matcher, without a database: pause banks the
// segment's business minutes, resume counts from the resume, breach flags survive a recompute.
import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../calendar/index.ts';
import { matches } from './conditions.ts';
import { clockState, noClock, type Policy } from './clock-state.ts';

const weekdays = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
] as [string, string][];
const desk = compileCalendar({
  time_zone: 'Asia/Tokyo',
  weekly_hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  use_japanese_holidays: true,
  exceptions: [],
});
const policy: Policy = { id: 'p', first_response_minutes: 60, resolution_minutes: 600, warn_at_percent: 80 };
const at = (iso: string) => Math.floor(Date.parse(iso) / 60000);
const iso = (s: string) => new Date(Date.parse(s)).toISOString();

describe('clockState', () => {
  it('starts at the given time and sets due times and the first warning in business minutes', () => {
    // Monday 2026-12-07 17:30 JST: 30 minutes that day, Tuesday 09:00 onwards.
    const s = clockState(noClock(), policy, desk, 'open', at('2026-12-07T17:40:00+09:00'), at('2026-12-07T17:30:00+09:00'));
    expect(s.first_response_due).toBe(iso('2026-12-08T09:30:00+09:00'));
    expect(s.sla_warning_at).toBe(iso('2026-12-08T09:18:00+09:00')); // 48 = 80 % of 60
    // 600 = 30 + 480 (Tuesday) + 90 (Wednesday 09:00–10:30)
    expect(s.resolution_due).toBe(iso('2026-12-09T10:30:00+09:00'));
    expect(s.sla_status).toBe('on_track');
  });

  it('banks the business minutes used at a pause and counts the rest from the resume', () => {
    const start = clockState(noClock(), policy, desk, 'open', at('2026-12-07T10:00:00+09:00'));
    // Pending at 14:00: 10–12 and 13–14 used (180), over a lunch break.
    const paused = clockState(start, policy, desk, 'pending', at('2026-12-07T14:00:00+09:00'));
    expect(paused).toMatchObject({ sla_elapsed_minutes: 180, sla_remaining_minutes: 420, resolution_due: null, sla_status: 'paused' });
    // Resumed Thursday 17:00: 60 that day, 360 on Friday → 16:00 (the paused days count nothing).
    const resumed = clockState(paused, policy, desk, 'open', at('2026-12-10T17:00:00+09:00'));
    expect(resumed.resolution_due).toBe(iso('2026-12-11T16:00:00+09:00'));
    expect(resumed).toMatchObject({ sla_paused_at: null, sla_status: 'on_track', sla_elapsed_minutes: 180 });
  });

  it('keeps a breach raised and reports a resolved case as breached or met', () => {
    const start = clockState(noClock(), policy, desk, 'open', at('2026-12-07T10:00:00+09:00'));
    const late = { ...start, resolution_breached: true, sla_status: 'breached' as const };
    const recomputed = clockState(late, { ...policy, resolution_minutes: 6000 }, desk, 'open', at('2026-12-07T11:00:00+09:00'));
    expect(recomputed).toMatchObject({ resolution_breached: true, sla_status: 'breached' });
    expect(clockState(late, policy, desk, 'resolved', at('2026-12-07T11:00:00+09:00')).sla_status).toBe('breached');
    expect(clockState(start, policy, desk, 'resolved', at('2026-12-07T11:00:00+09:00')).sla_status).toBe('met');
  });
});

describe('matches', () => {
  it('reads the platform filter operators it takes, and/or/not, and one relation', () => {
    const c = { priority: 'high', channel: null, company: 'x' };
    expect(matches({ priority: { in: ['high', 'urgent'] } }, c, {})).toBe(true);
    expect(matches({ priority: 'low' }, c, {})).toBe(false);
    expect(matches({ channel: { neq: 'email' } }, c, {})).toBe(true); // neq takes empty values in
    expect(matches({ channel: { is_null: true } }, c, {})).toBe(true);
    expect(matches({ or: [{ priority: 'low' }, { 'company.size': '1001_plus' }] }, c, { company: { size: '1001_plus' } })).toBe(true);
    expect(matches({ not: { 'company.size': '1001_plus' } }, c, { company: { size: '1_10' } })).toBe(true);
    expect(matches({ 'company.employees': { gte: 500 } }, c, { company: { employees: 120 } })).toBe(false);
    expect(matches(null, c, {})).toBe(true);
  });
});
