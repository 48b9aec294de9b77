// Set-based flag writes by the plugin that owns the fields: many records in one statement, each
// only if it is still at the version the plugin read (a compare-and-set), with a new version, a
// history row and an outbox event per record — a change workflows see, unlike maintain.ts —
// but without hooks: the plugin is the one deciding the value (an SLA clock's breach flag).
// The version guard is what makes two nodes running the same turn write each flag once.
import { sql, type SQL } from 'drizzle-orm';
import type { ObjectModel } from '../model/index.ts';
import { validation } from '../problems/index.ts';
import { bulkUpdateSql } from './bulk-upsert.ts';
import { stageRows } from './staging.ts';
import { checkInput } from './validate.ts';
import type { WriteContext } from './write-sql.ts';

export interface MarkRow {
  id: string;
  version: number;
  values: Record<string, unknown>;
}

/** At most this many rows a call (one statement). */
export const MAX_MARK = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks that every value is for a field `plugin` added (internal or not) and fits its type; a 422 naming it otherwise. */
export function checkMarkRows(model: ObjectModel, plugin: string, rows: MarkRow[]): MarkRow[] {
  if (rows.length > MAX_MARK) throw validation([{ field: 'rows', message: `at most ${MAX_MARK} rows a call` }]);
  return rows.map((r, i) => {
    if (typeof r.id !== 'string' || !UUID.test(r.id)) throw validation([{ field: `rows[${i}].id`, message: 'must be a record id' }]);
    if (!Number.isInteger(r.version) || r.version < 1)
      throw validation([{ field: `rows[${i}].version`, message: 'must be the version the record was read at' }]);
    for (const name of Object.keys(r.values)) {
      const f = model.fields.get(name);
      if (!f || f.spec.plugin !== plugin)
        throw validation([{ field: `rows[${i}].values.${name}`, message: `is not a field of the plugin "${plugin}" on ${model.name}` }]);
    }
    return { id: r.id, version: r.version, values: checkInput(model, r.values, 'update') };
  });
}

/** The statement: bulkUpdateSql guarded by each row's version; answers per row whether it was written. */
export function markSql(model: ObjectModel, rows: MarkRow[], ctx: WriteContext): SQL {
  const stage = stageRows(
    model,
    rows.map((r, index) => ({ index, id: r.id, values: r.values })),
  );
  const versions = sql`(array[${sql.join(
    rows.map((r) => sql`${r.version}::int`),
    sql`, `,
  )}])[s.i + 1]`;
  return bulkUpdateSql(model, stage, ctx, sql`t.version = ${versions}`);
}
