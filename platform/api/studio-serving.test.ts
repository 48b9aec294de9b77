// The studio's files as the server serves them, including the case `npm start` meets after a
// failed first build: no studio/dist/index.html, and the API must still answer.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

describe.each(databases)('serving the studio on %s', (kind) => {
  let dist: string;
  let k: TestKizuna;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'kizuna-dist-'));
    k = await startKizuna(kind, { studioDir: dist });
  });
  afterAll(async () => {
    await k?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('answers a page saying the studio is not built (503) while the API works, then serves the built studio', async () => {
    const page = await k.app.request('/contacts');
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/npm run studio:build/);
    expect((await k.app.request('/api/health')).status).toBe(200);
    expect((await k.call('GET', '/api/meta/objects')).status).toBe(200);

    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><div id="app"></div>');
    const built = await k.app.request('/contacts');
    expect(built.status).toBe(200);
    expect(await built.text()).toBe('<!doctype html><div id="app"></div>');
    expect((await k.app.request('/assets/missing.js')).status).toBe(404);
  });
});
