// plan(current, desired) → steps. Pure: it reads two sets of compiled models and decides;
// applyPlan does the I/O. Steps are ordered so every statement finds what it needs.
import { sql, type SQL } from 'drizzle-orm';
import { parseAutonumberFormat, SEARCH_COLUMN, type FieldModel, type ObjectModel } from '../model/index.ts';
import { createTableSql, layoutOf, renderSql, type TableLayout } from './layout.ts';

export type StepKind =
  | 'create_sequence'
  | 'create_table'
  | 'add_column'
  | 'backfill_autonumber'
  | 'check_not_null'
  | 'drop_foreign_key'
  | 'drop_index'
  | 'drop_search_column'
  | 'create_index'
  | 'add_foreign_key'
  | 'drop_column'
  | 'drop_table'
  | 'drop_sequence';

export interface Step {
  kind: StepKind;
  object: string;
  field?: string;
  description: string;
  sql: SQL;
  /** For checks and destructive steps: a query counting the values concerned. */
  count?: SQL;
  /**
   * Built after the change commits, without blocking writes (an index on a table that already
   * has rows). Until it is built, queries work, only slower.
   */
  deferred?: SQL;
}

const order: StepKind[] = [
  'create_sequence',
  'create_table',
  'add_column',
  'backfill_autonumber',
  'check_not_null',
  'drop_foreign_key',
  'drop_index',
  'drop_search_column',
  'create_index',
  'add_foreign_key',
  'drop_column',
  'drop_table',
  'drop_sequence',
];

const id = sql.identifier;

export interface PlanOptions {
  /** Tables big enough that a new index must not block writes while it builds. */
  bigTables?: Set<string>;
  /**
   * Remove definitions but keep their tables, columns and sequences (a plugin uninstalled
   * without purge). Creation steps are idempotent, so installing again finds the data.
   */
  keepStorage?: boolean;
}

export function planMigration(current: Map<string, ObjectModel>, desired: Map<string, ObjectModel>, opts: PlanOptions = {}): Step[] {
  const steps: Step[] = [];
  const names = new Set([...current.keys(), ...desired.keys()]);
  for (const name of names) {
    const before = current.get(name);
    const after = desired.get(name);
    steps.push(
      ...planObject(name, before && layoutOf(before), after && layoutOf(after), before, after, opts.bigTables?.has(name) ?? false),
    );
  }
  const kept = opts.keepStorage ? steps.filter((s) => !['drop_table', 'drop_column', 'drop_sequence'].includes(s.kind)) : steps;
  return kept.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/**
 * One object's steps. The order they are listed in matters only among steps of one kind
 * (planMigration's sort is stable): a rebuilt search document is added after the new fields
 * it may read.
 */
function planObject(
  object: string,
  before: TableLayout | undefined,
  after: TableLayout | undefined,
  beforeModel?: ObjectModel,
  afterModel?: ObjectModel,
  big = false,
): Step[] {
  if (!after) return dropObjectSteps(object, before!);
  const change = objectChange(object, before, after, beforeModel, afterModel, big);
  return [
    ...(change.isNew
      ? [{ kind: 'create_table' as const, object, description: `create table ${object}`, sql: createTableSql(object) }]
      : []),
    ...sequenceSteps(change),
    ...searchColumnDrop(change),
    ...addColumnSteps(change),
    ...searchColumnRebuild(change),
    ...dropColumnSteps(change),
    ...notNullChecks(change),
    ...indexSteps(change),
    ...foreignKeySteps(change),
  ];
}

type Column = TableLayout['columns'][number];

/** What the steps of one kept or new object compare: its table before and after, and its models. */
interface ObjectChange {
  object: string;
  before: TableLayout | undefined;
  after: TableLayout;
  beforeModel?: ObjectModel;
  afterModel?: ObjectModel;
  /** A table big enough that a new index must not block writes while it builds. */
  big: boolean;
  isNew: boolean;
  oldColumns: Map<string, Column>;
  newColumns: Map<string, Column>;
  /** The stored search document's expression changed: the column is dropped and added again. */
  searchReplaced: boolean;
  /** Formula columns whose expression changed: each is dropped and added again (recomputed). */
  formulasReplaced: Set<string>;
}

function objectChange(
  object: string,
  before: TableLayout | undefined,
  after: TableLayout,
  beforeModel: ObjectModel | undefined,
  afterModel: ObjectModel | undefined,
  big: boolean,
): ObjectChange {
  const oldColumns = new Map((before?.columns ?? []).map((c) => [c.name, c]));
  const newColumns = new Map(after.columns.map((c) => [c.name, c]));
  const oldSearch = oldColumns.get(SEARCH_COLUMN);
  const newSearch = newColumns.get(SEARCH_COLUMN);
  const searchReplaced = !!oldSearch && !!newSearch && oldSearch.type !== newSearch.type;
  const formulasReplaced = new Set(
    after.columns.filter((c) => c.generated && oldColumns.has(c.name) && oldColumns.get(c.name)!.type !== c.type).map((c) => c.name),
  );
  return { object, before, after, beforeModel, afterModel, big, isNew: !before, oldColumns, newColumns, searchReplaced, formulasReplaced };
}

/** A removed object: its table and its sequences go. */
function dropObjectSteps(object: string, before: TableLayout): Step[] {
  return [
    {
      kind: 'drop_table',
      object,
      description: `drop table ${object} and all its records`,
      sql: sql`drop table ${id(object)}`,
      count: sql`select count(*)::int as n from ${id(object)}`,
    },
    ...before.sequences.map((s) => dropSequence(object, s)),
  ];
}

function dropSequence(object: string, s: { name: string; field: string }): Step {
  return {
    kind: 'drop_sequence',
    object,
    field: s.field,
    description: `drop sequence ${s.name}`,
    sql: sql`drop sequence if exists ${id(s.name)}`,
  };
}

function sequenceSteps({ object, before, after }: ObjectChange): Step[] {
  const steps: Step[] = [];
  const oldSeq = new Set((before?.sequences ?? []).map((s) => s.name));
  for (const s of after.sequences) {
    if (oldSeq.has(s.name)) continue;
    steps.push({
      kind: 'create_sequence',
      object,
      field: s.field,
      description: `create sequence ${s.name} for ${object}.${s.field}`,
      sql: sql`create sequence if not exists ${id(s.name)}`,
    });
  }
  for (const s of before?.sequences ?? []) {
    if (!after.sequences.some((n) => n.name === s.name)) steps.push(dropSequence(object, s));
  }
  return steps;
}

// The stored search document follows the searchable fields: a different expression means a
// new column (the table is rewritten once; the search index goes with the old column).
function searchColumnDrop({ object, oldColumns, newColumns }: ObjectChange): Step[] {
  if (!oldColumns.has(SEARCH_COLUMN) || newColumns.has(SEARCH_COLUMN)) return [];
  return [
    {
      kind: 'drop_search_column',
      object,
      field: SEARCH_COLUMN,
      description: `drop the search document of ${object}`,
      sql: sql`alter table ${id(object)} drop column if exists ${id(SEARCH_COLUMN)}`,
    },
  ];
}

/** After the new fields exist: the new document may read them. */
function searchColumnRebuild({ object, newColumns, searchReplaced }: ObjectChange): Step[] {
  if (!searchReplaced) return [];
  return [
    {
      kind: 'add_column',
      object,
      field: SEARCH_COLUMN,
      description: `rebuild the search document of ${object} (rewrites the table)`,
      sql: sql`alter table ${id(object)} drop column if exists ${id(SEARCH_COLUMN)}, add column ${id(SEARCH_COLUMN)} ${sql.raw(newColumns.get(SEARCH_COLUMN)!.type)}`,
    },
  ];
}

function addColumnSteps({ object, after, afterModel, isNew, oldColumns, formulasReplaced }: ObjectChange): Step[] {
  const steps: Step[] = [];
  // Formula columns last: their expressions read the columns added before them.
  const columns = [...after.columns.filter((c) => !c.generated), ...after.columns.filter((c) => c.generated)];
  for (const c of columns) {
    if (formulasReplaced.has(c.name)) {
      // A generated column's expression cannot be altered on PostgreSQL 15: dropped and added
      // again in one statement, which recomputes it for every row (a table rewrite).
      steps.push({
        kind: 'add_column',
        object,
        field: c.field,
        description: `recompute formula ${object}.${c.name} for every record (rewrites the table)`,
        sql: sql`alter table ${id(object)} drop column if exists ${id(c.name)}, add column ${id(c.name)} ${sql.raw(c.type)}`,
      });
      continue;
    }
    if (oldColumns.has(c.name)) continue;
    // A nullable column without a default is a catalog-only change: no table rewrite. A
    // generated one (a formula) is computed for every row as it is added.
    steps.push({
      kind: 'add_column',
      object,
      field: c.field,
      description: c.generated ? `add formula ${object}.${c.name}, computed for every record` : `add column ${object}.${c.name} ${c.type}`,
      sql: sql`alter table ${id(object)} add column if not exists ${id(c.name)} ${sql.raw(c.type)}`,
    });
    const field = afterModel?.fields.get(c.field);
    if (!isNew && field?.spec.type === 'autonumber' && c.name === field.name) steps.push(backfillAutonumber(object, c, field));
  }
  return steps;
}

/** An autonumber field added to a table with records numbers them, oldest first. */
function backfillAutonumber(object: string, c: Column, field: FieldModel): Step {
  const fmt = parseAutonumberFormat(field.spec.format)!;
  return {
    kind: 'backfill_autonumber',
    object,
    field: c.field,
    description: `number the existing records of ${object} in ${c.name}, oldest first`,
    sql: sql`update ${id(object)} as r set ${id(c.name)} = n.value from (
          select id, ${fmt.prefix}::text || lpad(nextval(${field.spec.sequence}::regclass)::text, ${fmt.digits}::int, '0') || ${fmt.suffix}::text as value
          from (select id from ${id(object)} order by created_at, id) o) n where r.id = n.id`,
  };
}

function dropColumnSteps({ object, before, newColumns }: ObjectChange): Step[] {
  return (before?.columns ?? [])
    .filter((c) => !newColumns.has(c.name) && c.name !== SEARCH_COLUMN)
    .map((c) => ({
      kind: 'drop_column',
      object,
      field: c.field,
      description: `drop column ${object}.${c.name} and its values`,
      sql: sql`alter table ${id(object)} drop column ${id(c.name)}`,
      count: sql`select count(${id(c.name)})::int as n from ${id(object)}`,
    }));
}

/** A field that becomes required must already have a value in every live record. */
function notNullChecks({ object, beforeModel, afterModel }: ObjectChange): Step[] {
  return (afterModel?.fieldList ?? [])
    .filter((f) => {
      const old = beforeModel?.fields.get(f.name);
      return f.spec.required && old && !old.spec.required;
    })
    .map((f) => ({
      kind: 'check_not_null',
      object,
      field: f.name,
      description: `check that every record of ${object} has a value in ${f.name}`,
      sql: sql`select 1`,
      count: sql`select count(*)::int as n from ${id(object)} where ${id(f.name)} is null and deleted_at is null`,
    }));
}

function indexSteps({ object, before, after, big, isNew, newColumns, searchReplaced, formulasReplaced }: ObjectChange): Step[] {
  const steps: Step[] = [];
  const oldIndexes = new Map((before?.indexes ?? []).map((i) => [i.name, i]));
  const newIndexes = new Map(after.indexes.map((i) => [i.name, i]));
  // An index goes with its dropped column: one on a recomputed formula or search document is built again.
  const rebuiltWithColumn = (i: { field?: string; fields?: string[] }) =>
    (searchReplaced && i.field === SEARCH_COLUMN) || [i.field, ...(i.fields ?? [])].some((f) => f !== undefined && formulasReplaced.has(f));
  for (const i of before?.indexes ?? []) {
    const next = newIndexes.get(i.name);
    if (next && next.key === i.key && !rebuiltWithColumn(i)) continue;
    if (!newColumns.has(i.field ?? '') && i.field) continue; // dropped with its column
    steps.push({
      kind: 'drop_index',
      object,
      field: i.field,
      description: `drop index ${i.name}`,
      sql: sql`drop index if exists ${id(i.name)}`,
    });
  }
  for (const i of after.indexes) {
    const prev = oldIndexes.get(i.name);
    if (prev && prev.key === i.key && !rebuiltWithColumn(i)) continue;
    // On a big table a new index is built after commit, concurrently; a small table's index
    // takes milliseconds inside the transaction. A unique index is a rule, not a speed-up:
    // it must hold when the change commits, so it is never deferred.
    const deferred = big && !isNew && !i.unique;
    steps.push({
      kind: 'create_index',
      object,
      field: i.field,
      description: deferred ? `${renderSql(i.createConcurrently)} (after commit, without blocking writes)` : renderSql(i.create),
      sql: i.create,
      ...(deferred && { deferred: i.createConcurrently }),
    });
  }
  return steps;
}

function foreignKeySteps({ object, before, after, oldColumns, newColumns }: ObjectChange): Step[] {
  const steps: Step[] = [];
  const oldFks = new Map((before?.foreignKeys ?? []).map((f) => [f.name, f]));
  const newFks = new Map(after.foreignKeys.map((f) => [f.name, f]));
  for (const fk of after.foreignKeys) {
    if (oldFks.has(fk.name)) continue;
    // NOT VALID: the column is new (all NULL), so there is nothing to check and no reason
    // to scan a big table under lock.
    steps.push({
      kind: 'add_foreign_key',
      object,
      field: fk.field,
      description: `${object}.${fk.column} references ${fk.references}(id)`,
      // Dropped first: a plugin installed again over kept storage finds its constraint there.
      sql: sql`alter table ${id(object)} drop constraint if exists ${id(fk.name)}, add constraint ${id(fk.name)} foreign key (${id(fk.column)}) references ${id(fk.references)} (id) on delete set null${sql.raw(oldColumns.has(fk.column) ? '' : ' not valid')}`,
    });
  }
  for (const fk of before?.foreignKeys ?? []) {
    if (newFks.has(fk.name) || !newColumns.has(fk.column)) continue;
    steps.push({
      kind: 'drop_foreign_key',
      object,
      field: fk.field,
      description: `drop constraint ${fk.name}`,
      sql: sql`alter table ${id(object)} drop constraint if exists ${id(fk.name)}`,
    });
  }
  return steps;
}
