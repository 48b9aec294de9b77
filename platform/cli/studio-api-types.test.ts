import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshOpenApi, STUDIO_API_TYPES, studioApiTypes } from './studio-api-types.ts';

/** Where two texts first differ, as "line N: <checked in> ≠ <generated>" (a full diff of 8,000 lines says less). */
function firstDifference(checkedIn: string, generated: string): string {
  const a = checkedIn.split('\n');
  const b = generated.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const n = i === -1 ? a.length : i;
  return `line ${n + 1}: ${JSON.stringify(a[n] ?? '(end of file)')} ≠ ${JSON.stringify(b[n] ?? '(end of file)')}`;
}

describe('studio API types (studio/src/api/openapi.d.ts)', () => {
  let generated: string;
  beforeAll(async () => {
    generated = await studioApiTypes(await freshOpenApi());
  }, 60_000);

  it('the checked-in file is what the server describes now, so the studio cannot drift from the API', async () => {
    const checkedIn = await readFile(STUDIO_API_TYPES, 'utf8');
    const same = checkedIn === generated;
    expect(
      same,
      same
        ? ''
        : `it differs from /api/openapi.json at ${firstDifference(checkedIn, generated)}; run \`npm run studio:api-types\` and commit the result`,
    ).toBe(true);
  });

  it('types the problem body the studio reads errors from', () => {
    expect(generated).toMatch(/Problem: \{[^}]*type: string;[^}]*title: string;[^}]*status: number;/s);
    expect(generated).toContain('FieldProblem: {');
  });
});
