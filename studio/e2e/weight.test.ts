// The studio's first page stays light (issue 16: < 250 KB of JavaScript, gzipped): what chromium
// loads for the home page of a signed-in user, opened fresh, and for the sign-in page. Bytes, not
// time, so the figure does not depend on the machine's load.
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn, startStudio, type Studio } from './harness.ts';

const LIMIT = 250 * 1024;

/** Gzipped bytes of every script the page loads while `open` runs, by file name. */
async function scriptsLoaded(page: Page, open: () => Promise<unknown>): Promise<Map<string, number>> {
  const bodies: Promise<[string, number]>[] = [];
  const onResponse = (r: Awaited<ReturnType<Page['waitForResponse']>>) => {
    if (r.request().resourceType() === 'script')
      bodies.push(r.body().then((b) => [new URL(r.url()).pathname, gzipSync(b, { level: 9 }).length]));
  };
  page.on('response', onResponse);
  await open();
  await page.waitForLoadState('networkidle');
  page.off('response', onResponse);
  return new Map(await Promise.all(bodies));
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe("the studio's first page weight", () => {
  let s: Studio;
  beforeAll(async () => {
    s = await startStudio();
  });
  afterAll(() => s?.close());

  it('loads under 250 KB of gzipped JavaScript for sign-in and for the home page', async () => {
    const { page, errors } = await s.newPage();
    const signInPage = await scriptsLoaded(page, () => page.goto(`${s.baseUrl}/sign-in`));
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    const home = await scriptsLoaded(page, async () => {
      await page.reload();
      await page.getByTestId('objects').waitFor();
    });
    console.log(`studio first page, gzipped JS: sign-in ${total(signInPage)} B, home ${total(home)} B (${home.size} files)`);
    expect(signInPage.size).toBeGreaterThan(0);
    expect(home.size).toBeGreaterThan(0);
    expect(total(signInPage)).toBeLessThan(LIMIT);
    expect(total(home)).toBeLessThan(LIMIT);
    expect(errors).toEqual([]);
  });
});
