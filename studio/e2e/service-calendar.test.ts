// The service plugin's calendar panel in the studio: a calendar's coming days with what decided
// each (an exception's label), in English and Japanese, and a due-date check against the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('the service plugin calendar panel', () => {
  let studio: Studio;
  let id: string;
  // The panel starts at today in the calendar's zone: the test's dates are relative to it.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
  const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const allWeek = [['09:00', '18:00']];

  beforeAll(async () => {
    studio = await startStudio();
    const k = studio.kizuna;
    expect((await k.call('POST', '/api/plugins/service/install')).status).toBe(201);
    const weekly = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, allWeek]));
    id = (
      await k.call('POST', '/api/records/calendar', {
        name: '東京サポート',
        time_zone: 'Asia/Tokyo',
        weekly_hours: weekly,
        use_japanese_holidays: false,
      })
    ).body.id;
    const closed = await k.call('POST', '/api/records/calendar_exception', {
      calendar: id,
      date: day(2),
      kind: 'closed',
      label_en: 'Stocktaking',
      label_ja: '棚卸し',
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    const short = await k.call('POST', '/api/records/calendar_exception', {
      calendar: id,
      date: day(3),
      kind: 'open',
      hours: [['10:00', '15:00']],
    });
    expect(short.status, JSON.stringify(short.body)).toBe(201);
  });
  afterAll(() => studio?.close());

  it('shows the coming days with the exception that decided them, in English and Japanese, and checks a due date', async () => {
    const { page, errors } = await studio.newPage();
    await signIn(page, studio.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${studio.baseUrl}/o/calendar/${id}`);
    const panel = page.getByTestId('service-calendar-panel');
    await panel.waitFor();
    await panel
      .locator(`tr[data-date="${day(2)}"]`)
      .getByText('Stocktaking')
      .waitFor();
    expect(
      await panel
        .locator(`tr[data-date="${day(2)}"] td`)
        .first()
        .textContent(),
    ).toBe('Closed');
    expect(
      await panel
        .locator(`tr[data-date="${day(3)}"] td`)
        .first()
        .textContent(),
    ).toBe('10:00–15:00');
    expect(
      await panel
        .locator(`tr[data-date="${day(1)}"] td`)
        .first()
        .textContent(),
    ).toBe('09:00–18:00');
    expect(await panel.locator('tbody tr').count()).toBe(14);
    await panel.locator('input[type=number]').fill('60');
    await panel.getByRole('button', { name: 'Check' }).click();
    await panel
      .getByTestId('service-due')
      .getByText(/^Due .* \(Asia\/Tokyo\)$/)
      .waitFor();
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'service-calendar-panel');
    await page.locator('.locale-switch').getByRole('button', { name: '日本語' }).click();
    await panel
      .locator(`tr[data-date="${day(2)}"]`)
      .getByText('棚卸し')
      .waitFor();
    expect(
      await panel
        .locator(`tr[data-date="${day(2)}"] td`)
        .first()
        .textContent(),
    ).toBe('休業');
    await panel.getByRole('heading', { name: '今後の営業日' }).waitFor();
    await panel
      .getByTestId('service-due')
      .getByText(/^期限：\d{4}\/\d{2}\/\d{2} \d{1,2}:\d{2}（Asia\/Tokyo）$/)
      .waitFor();
    await shot(page, 'service-calendar-panel-ja');
    await page.locator('.locale-switch').getByRole('button', { name: 'English' }).click();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
