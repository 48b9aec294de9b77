// COPY FROM STDIN inside a transaction (PostgreSQL only: PGlite's transactions have no copyIn).
// The refusal case guards the workaround in database.ts for a postgres.js bug that otherwise
// hangs the transaction forever; an upgrade that changes the driver's internals fails here.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createDatabase, sql, type Database } from './index.ts';

describe.skipIf(!process.env.DATABASE_URL)('COPY into a table inside a transaction', () => {
  const url = process.env.DATABASE_URL!;
  const schema = `kz_test_copy_${randomBytes(5).toString('hex')}`;
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({ url, schema, max: 2 });
    await db.query(sql`create table staged (i int, d date, t text)`);
  });
  afterAll(async () => {
    await db?.close();
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
  });

  it('writes rows in text format as part of the transaction', async () => {
    await db.transaction(async (tx) => {
      await tx.copyIn!('staged', '1\t2026-01-05\tone\n2\t\\N\ttab\\there\n');
    });
    expect(await db.query(sql`select i, d::text as d, t from staged order by i`)).toEqual([
      { i: 1, d: '2026-01-05', t: 'one' },
      { i: 2, d: null, t: 'tab\there' },
    ]);
  });

  it('rejects with the server error when the data is refused, and the transaction goes on', async () => {
    const outcome = await db.transaction(async (tx) => {
      const refusals: string[] = [];
      for (const data of ['3\tnot a date\tx\n', '4\t2026-01-05\tx\textra column\n']) {
        await tx.savepoint((t) => t.copyIn!('staged', data)).catch((e: Error) => refusals.push(e.message));
      }
      await tx.copyIn!('staged', '5\t2026-02-01\tafter\n');
      return refusals;
    });
    expect(outcome).toEqual([expect.stringMatching(/invalid input syntax for type date/), expect.stringMatching(/extra data after last expected column/)]);
    expect((await db.query<{ i: number }>(sql`select i from staged where i > 2 order by i`)).map((r) => r.i)).toEqual([5]);
  }, 20_000);
});
