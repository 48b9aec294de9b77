// Multi-field sort with an id tie-break, and opaque keyset cursors that stay correct under
// concurrent inserts. NULLs sort as the largest value (PostgreSQL's own default), so one
// plain btree index serves both directions.
import { sql, type SQL } from 'drizzle-orm';
import { fieldOf, systemFields, type FieldModel, type ObjectModel } from '../model/index.ts';
import { badRequest } from '../problems/index.ts';

export interface SortKey {
  field: FieldModel;
  desc: boolean;
}

const MAX_SORT_KEYS = 5;

/** Default: newest first (ids are UUIDv7, so id order is creation order). */
export function parseSort(model: ObjectModel, param: string | undefined): SortKey[] {
  const id = systemFields.get('id')!;
  if (!param) return [{ field: id, desc: true }];
  const keys: SortKey[] = [];
  for (const raw of param.split(',')) {
    const part = raw.trim();
    if (!part) throw badRequest('sort has an empty entry', [{ field: 'sort', message: 'has an empty entry' }]);
    const desc = part.startsWith('-');
    const name = desc || part.startsWith('+') ? part.slice(1) : part;
    const field = fieldOf(model, name);
    if (!field)
      throw badRequest(`Unknown sort field "${name}" on ${model.name}`, [
        { field: 'sort', message: `"${name}" is not a field of ${model.name}` },
      ]);
    if (!field.type.sortable)
      throw badRequest(`${model.name}.${name} cannot be sorted on`, [
        { field: 'sort', message: `${field.spec.type} fields cannot be sorted` },
      ]);
    if (keys.some((k) => k.field.name === name))
      throw badRequest(`sort names "${name}" twice`, [{ field: 'sort', message: `"${name}" appears twice` }]);
    keys.push({ field, desc });
  }
  if (keys.length > MAX_SORT_KEYS)
    throw badRequest(`sort takes at most ${MAX_SORT_KEYS} fields`, [{ field: 'sort', message: `at most ${MAX_SORT_KEYS} fields` }]);
  if (!keys.some((k) => k.field.name === 'id')) keys.push({ field: id, desc: false });
  return keys;
}

export const orderBy = (keys: SortKey[], alias: string): SQL =>
  sql.join(
    keys.map((k) => sql`${k.field.type.key(k.field.col(alias))}${sql.raw(k.desc ? ' desc' : '')}`),
    sql`, `,
  );

/** Hidden select columns carrying each sort key's value as text, for the next cursor. */
export const cursorColumns = (keys: SortKey[], alias: string): SQL[] =>
  keys.map((k, i) => sql`${k.field.type.keyText(k.field.col(alias))} as ${sql.identifier(`__k${i}`)}`);

const signature = (keys: SortKey[]) => keys.map((k) => `${k.desc ? '-' : ''}${k.field.name}`).join(',');

export function encodeCursor(keys: SortKey[], row: Record<string, unknown>): string {
  const values = keys.map((_, i) => (row[`__k${i}`] ?? null) as string | null);
  return Buffer.from(JSON.stringify({ s: signature(keys), v: values })).toString('base64url');
}

export function decodeCursor(keys: SortKey[], cursor: string): (string | null)[] {
  let parsed: { s?: unknown; v?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The cursor is not valid', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
  }
  const v = parsed?.v;
  if (
    parsed?.s !== signature(keys) ||
    !Array.isArray(v) ||
    v.length !== keys.length ||
    !v.every((x, i) => x === null || (typeof x === 'string' && !x.includes('\u0000') && (keys[i].field.type.keyPattern?.test(x) ?? true)))
  ) {
    throw badRequest('The cursor does not belong to this sort', [
      { field: 'cursor', message: 'was issued for another sort or is damaged' },
    ]);
  }
  return v as (string | null)[];
}

/** Rows strictly after the cursor position in the sort order. */
export function afterCursor(keys: SortKey[], values: (string | null)[], alias: string): SQL {
  const ors: SQL[] = [];
  for (let i = 0; i < keys.length; i++) {
    const ands: SQL[] = [];
    for (let j = 0; j < i; j++) ands.push(equals(keys[j], values[j], alias));
    ands.push(after(keys[i], values[i], alias));
    ors.push(sql`(${sql.join(ands, sql` and `)})`);
  }
  return sql`(${sql.join(ors, sql` or `)})`;
}

function equals(k: SortKey, v: string | null, alias: string): SQL {
  const key = k.field.type.key(k.field.col(alias));
  return v === null ? sql`${key} is null` : sql`${key} = ${k.field.type.bind(v)}`;
}

function after(k: SortKey, v: string | null, alias: string): SQL {
  const key = k.field.type.key(k.field.col(alias));
  if (k.desc) return v === null ? sql`${key} is not null` : sql`${key} < ${k.field.type.bind(v)}`;
  return v === null ? sql`false` : sql`(${key} > ${k.field.type.bind(v)} or ${key} is null)`;
}
