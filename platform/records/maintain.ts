// Silent writes of internal fields by the plugin that owns them: data a plugin derives from a
// record (duplicate keys) kept current — filled in for records written before the plugin was
// installed, recomputed when its rules change — without a new version, a history row or an
// outbox event: it is not a change a person made, and workflows must not see one.
import { sql, type SQL } from 'drizzle-orm';
import type { ObjectModel } from '../model/index.ts';
import { validation } from '../problems/index.ts';
import { stageRows } from './staging.ts';
import { checkInput } from './validate.ts';

export interface MaintainRow {
  id: string;
  values: Record<string, unknown>;
}

/** At most this many rows a call (one statement). */
export const MAX_MAINTAIN = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks that every value is for an internal field of `plugin` and fits its type; a 422 naming it otherwise. */
export function checkMaintainRows(model: ObjectModel, plugin: string, rows: MaintainRow[]): MaintainRow[] {
  if (rows.length > MAX_MAINTAIN) throw validation([{ field: 'rows', message: `at most ${MAX_MAINTAIN} rows a call` }]);
  return rows.map((r, i) => {
    if (typeof r.id !== 'string' || !UUID.test(r.id)) throw validation([{ field: `rows[${i}].id`, message: 'must be a record id' }]);
    for (const name of Object.keys(r.values)) {
      const f = model.fields.get(name);
      if (!f?.spec.internal || f.spec.plugin !== plugin)
        throw validation([
          { field: `rows[${i}].values.${name}`, message: `is not an internal field of the plugin "${plugin}" on ${model.name}` },
        ]);
    }
    return { id: r.id, values: checkInput(model, r.values, 'update') };
  });
}

/** One statement setting the given internal fields of live records; answers the ids it touched. */
export function maintainSql(model: ObjectModel, rows: MaintainRow[]): SQL {
  const { staged, relation } = stageRows(
    model,
    rows.map((r, index) => ({ index, id: r.id, values: r.values })),
  );
  const sets = staged.map(
    (c) => sql`${sql.identifier(c.column)} = case when s.ch ? ${c.field.name}::text then ${c.value} else t.${sql.identifier(c.column)} end`,
  );
  return sql`update ${sql.identifier(model.table)} as t set ${sql.join(sets, sql`, `)}
    from ${relation} where t.id = s.id and t.deleted_at is null returning t.id::text as id`;
}
