// Runs a plan inside the caller's transaction (the registry holds the advisory lock), and
// describes a plan for a dry run.
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import { dbErrorOf } from '../db/index.ts';
import { conflict } from '../problems/index.ts';
import { renderSql } from './layout.ts';
import type { Step } from './plan.ts';

export interface StepView {
  kind: string;
  object: string;
  field?: string;
  description: string;
  sql: string;
  /** Values or records concerned, for checks and destructive steps. */
  count?: number;
}

/** Runs the plan's transactional steps; deferred index builds are left to buildDeferred. */
export async function applyPlan(tx: Executor, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if (step.deferred) continue;
    if (step.kind === 'check_not_null') {
      const n = await countOf(tx, step);
      if (n > 0) {
        throw conflict(
          `${n} record${n === 1 ? '' : 's'} of ${step.object} have no value in ${step.field}; fill them in before making it required`,
          [{ field: step.field!, message: `${n} records have no value` }],
        );
      }
      continue;
    }
    try {
      await tx.query(step.sql);
    } catch (e) {
      const err = dbErrorOf(e);
      if (err?.code === '23505' && step.kind === 'create_index') {
        throw conflict(`${step.object}.${step.field} has duplicate values among live records; it cannot be unique`, [
          { field: step.field ?? step.object, message: 'has duplicate values' },
        ]);
      }
      throw e;
    }
  }
}

/**
 * Builds the deferred indexes after commit. On PostgreSQL CONCURRENTLY keeps writes flowing;
 * an index left INVALID by a failed build is dropped and built again.
 */
export async function buildDeferred(db: Database, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if (!step.deferred) continue;
    const name = /^create index (?:concurrently if not exists )?"([^"]+)"/.exec(renderSql(step.deferred))?.[1];
    if (db.kind === 'pglite') {
      await db.query(step.sql);
      continue;
    }
    if (name) {
      const [state] = await db.query<{
        valid: boolean;
      }>(sql`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname = ${name} and c.relnamespace = current_schema()::regnamespace`);
      if (state && !state.valid) await db.query(sql`drop index concurrently if exists ${sql.identifier(name)}`);
    }
    await db.query(step.deferred);
  }
}

export async function describePlan(db: Executor, steps: Step[], withCounts: boolean): Promise<StepView[]> {
  const out: StepView[] = [];
  for (const s of steps) {
    const view: StepView = { kind: s.kind, object: s.object, description: s.description, sql: renderSql(s.sql) };
    if (s.field) view.field = s.field;
    if (s.count && withCounts) view.count = await countOf(db, s).catch(() => 0);
    out.push(view);
  }
  return out;
}

async function countOf(db: Executor, step: Step): Promise<number> {
  const rows = await db.query<{ n: number }>(step.count!);
  return Number(rows[0]?.n ?? 0);
}
