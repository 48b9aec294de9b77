import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStudioBuilt, isStale, prepareStudio, StudioBuildError } from './build.ts';

const root = resolve(import.meta.dirname, '../..');

describe('isStale', () => {
  it('is stale when there is no built index.html', () => {
    expect(isStale(undefined, 1_000)).toBe(true);
  });

  it('is stale when a source is newer than the build', () => {
    expect(isStale(1_000, 2_000)).toBe(true);
  });

  it('is fresh when the build is as new as or newer than every source', () => {
    expect(isStale(2_000, 2_000)).toBe(false);
    expect(isStale(3_000, 2_000)).toBe(false);
  });
});

describe('ensureStudioBuilt', () => {
  let temp: string;
  let outDir: string;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'kizuna-studio-build-'));
    outDir = join(temp, 'dist');
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('builds the real studio when the dist is missing', async () => {
    const logs: string[] = [];
    const dist = await ensureStudioBuilt({ root, outDir, log: (msg) => logs.push(msg) });

    expect(dist).toBe(outDir);
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/<div id="app"><\/div>/);
    expect(html).toMatch(/src="\/assets\/index-[\w-]+\.js"/);
    expect(logs.some((msg) => msg.includes('building'))).toBe(true);
  });

  it('builds Vue for production even under vitest (NODE_ENV=test)', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const script = html.match(/src="\/(assets\/index-[\w-]+\.js)"/)![1];
    const js = await readFile(join(outDir, script), 'utf8');
    // Vue's development build carries its runtime warnings; the production one strips them.
    expect(js).not.toMatch(/\[Vue warn\]/);
  });

  it('skips the build when the dist is fresh', async () => {
    const before = (await stat(join(outDir, 'index.html'))).mtimeMs;
    const logs: string[] = [];
    await ensureStudioBuilt({ root, outDir, log: (msg) => logs.push(msg) });

    expect(logs).toEqual([]);
    expect((await stat(join(outDir, 'index.html'))).mtimeMs).toBe(before);
  });

  it('rebuilds when the dist is older than the sources', async () => {
    const index = join(outDir, 'index.html');
    const longAgo = new Date('2000-01-01T00:00:00Z');
    await utimes(index, longAgo, longAgo);
    const logs: string[] = [];
    await ensureStudioBuilt({ root, outDir, log: (msg) => logs.push(msg) });

    expect(logs.some((msg) => msg.includes('rebuilding'))).toBe(true);
    expect((await stat(index)).mtimeMs).toBeGreaterThan(longAgo.getTime());
  });
});

// A studio of two files whose Vite config writes the pid of the process that bundles it.
describe('the build process', () => {
  let temp: string;
  const studio = () => join(temp, 'studio');
  const outDir = () => join(studio(), 'dist');
  const later = async (path: string, text: string) => {
    await writeFile(path, text);
    const t = new Date(Date.now() + 60_000);
    await utimes(path, t, t);
  };

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'kizuna-studio-child-'));
    await mkdir(studio());
    await writeFile(join(studio(), 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="/main.js"></script>\n');
    await writeFile(join(studio(), 'main.js'), "document.getElementById('app').textContent = 'hello';\n");
    await writeFile(
      join(studio(), 'vite.config.ts'),
      `import { writeFileSync } from 'node:fs';
export default { plugins: [{ name: 'pid', buildStart() { writeFileSync(${JSON.stringify(join(temp, 'pid'))}, String(process.pid)); } }] };
`,
    );
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('runs vite in a child process, so the server never holds the bundler', async () => {
    await ensureStudioBuilt({ root: temp });
    const pid = Number(await readFile(join(temp, 'pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(await readFile(join(outDir(), 'index.html'), 'utf8')).toMatch(/src="\/assets\/index-[\w-]+\.js"/);
  });

  it("reports a failed build with vite's error and keeps the previous build", async () => {
    const before = await readFile(join(outDir(), 'index.html'), 'utf8');
    await later(join(studio(), 'main.js'), 'document.getElementById(;\n');
    const failed = ensureStudioBuilt({ root: temp });
    await expect(failed).rejects.toBeInstanceOf(StudioBuildError);
    await expect(failed).rejects.toThrow(/vite build exited with code [1-9][\s\S]*main\.js/);
    expect(await readFile(join(outDir(), 'index.html'), 'utf8')).toBe(before);
  });

  it('lets the server start after a failed build, with the failure reported', async () => {
    const errors: string[] = [];
    const dir = await prepareStudio({ root: temp, error: (m) => errors.push(m) });
    expect(dir).toBe(outDir());
    expect(errors).toEqual([expect.stringMatching(/^studio: the build failed[\s\S]*npm run studio:build[\s\S]*main\.js/)]);
  });
});
