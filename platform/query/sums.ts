// Column totals of a list (?sum=amount): the sum of a number or currency field over every record
// the list's filter, search and the caller's read scope match, not only the page sent. Kanban
// columns show them. A currency field is summed per currency: adding yen to dollars would be a
// wrong number, not a total.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import type { FieldModel, ObjectModel } from '../model/index.ts';
import { badRequest } from '../problems/index.ts';
import { assertReadableField, type QueryAccess } from './access.ts';

/** One total: the sum as exact decimal text, and its currency (null for a number field). */
export interface Sum {
  amount: string;
  currency: string | null;
}

const SUMMABLE = ['integer', 'number', 'percent', 'currency'];
/** A number field, or a formula that gives a number (summed like a number field). */
const summable = (f: FieldModel) => SUMMABLE.includes(f.spec.type) || (f.spec.type === 'formula' && f.spec.result_type === 'number');
const MAX_SUMS = 5;

/** `sum=a,b` → the fields to total; each must be a number or currency field the caller may read. */
export function parseSums(model: ObjectModel, value: string | undefined, access?: QueryAccess): FieldModel[] {
  const wanted = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (wanted.length > MAX_SUMS)
    throw badRequest(`sum takes at most ${MAX_SUMS} fields`, [{ field: 'sum', message: `at most ${MAX_SUMS} fields` }]);
  return wanted.map((n) => {
    const f = model.fields.get(n);
    if (!f) throw badRequest(`Unknown field "${n}" in sum`, [{ field: 'sum', message: `"${n}" is not a field of ${model.name}` }]);
    if (!summable(f))
      throw badRequest(`"${n}" cannot be summed`, [
        { field: 'sum', message: `"${n}" is a ${f.spec.type} field, not a number or currency` },
      ]);
    assertReadableField(model, n, access, 'sum');
    return f;
  });
}

/** The totals over `where` (the list's conditions on alias `t`), one query per field. */
export async function runSums(
  db: Executor,
  model: ObjectModel,
  fields: FieldModel[],
  where: SQL,
  t: string,
): Promise<Record<string, Sum[]>> {
  const from = sql`from ${sql.identifier(model.table)} as ${sql.identifier(t)} where ${where}`;
  const out: Record<string, Sum[]> = {};
  for (const f of fields) {
    const col = f.col(t);
    if (f.spec.type === 'currency') {
      // Each record keeps its own currency (the field's is only the default): total per currency.
      const rows = await db.query<{ amount: string; currency: string | null }>(
        sql`select sum(${col()})::text as amount, ${col('currency')} as currency ${from} and ${col()} is not null group by 2 order by 2`,
      );
      out[f.name] = rows.length
        ? rows.map((r) => ({ amount: r.amount, currency: r.currency }))
        : [{ amount: '0', currency: f.spec.currency ?? null }];
    } else {
      const [r] = await db.query<{ amount: string | null }>(sql`select sum(${col()})::text as amount ${from}`);
      out[f.name] = [{ amount: r.amount ?? '0', currency: null }];
    }
  }
  return out;
}
