// Date-relative triggers ("3 days before due_at", "when follow_up_at is reached"): a scan
// finds records whose date plus offset has been reached since the workflow was switched on
// and that have not fired for that date value; the fire row and the run are inserted in one
// transaction, so a date fires once per record per value on any number of nodes (a changed
// date is a new value: it fires again), and nothing is lost over a restart.
import { sql, type Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { RecordService } from '../records/index.ts';
import { offsetMs, type WorkflowDefinition } from './definition.ts';
import { insertRun } from './runs.ts';
import type { ActiveWorkflow, WorkflowStore } from './store.ts';
import { isWorkflowFault } from './triggers.ts';

const BATCH = 200;
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export function createDateTriggers(opts: {
  db: Database;
  registry?: Registry;
  records: RecordService;
  store: WorkflowStore;
  maxDepth?: number;
}) {
  const { db } = opts;

  /** Starts the runs of every date reached; answers how many started. */
  async function fire(): Promise<number> {
    if (!opts.registry) return 0;
    const due = await db.query<{
      id: string;
      user_id: string;
      version: number;
      definition: unknown;
      enabled_at: string;
    }>(sql`select w.id::text as id,
        w.user_id::text as user_id, v.version, v.definition, w.enabled_at::text as enabled_at
      from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version
      where w.enabled and w.state = 'ok' and v.definition->'trigger'->>'type' = 'record.date'`);
    let started = 0;
    for (const d of due) {
      const wf: ActiveWorkflow = {
        id: d.id,
        user_id: d.user_id,
        version: Number(d.version),
        definition: json<WorkflowDefinition>(d.definition),
      };
      const t = wf.definition.trigger;
      const model = opts.registry.find(t.object!);
      const field = model?.fields.get(t.field!);
      // A field removed or retyped since publishing: nothing can fire.
      if (!model || !field || !['date', 'datetime'].includes(field.spec.type)) continue;
      const col = field.col('t')();
      const at = sql`(${col} + ${offsetMs(t.offset) / 1000}::double precision * interval '1 second')`;
      const actor = { actor: wf.user_id, via: `workflow:${wf.id}` };
      // A condition that cannot be evaluated stops this workflow alone; its dates are not
      // marked fired (the transaction rolls back), so they fire once it is fixed.
      started += await db
        .transaction(async (tx) => {
          const fired = await tx.query<{
            record_id: string;
            fired_for: string;
          }>(sql`insert into kizuna_workflow_date_fires (workflow_id, record_id, fired_for)
          select ${wf.id}::uuid, t.id, ${col}::text from ${sql.identifier(model.table)} as t
          where t.deleted_at is null and ${col} is not null and ${at} <= now() and ${at} > ${d.enabled_at ?? 'infinity'}::timestamptz
            and not exists (select 1 from kizuna_workflow_date_fires f where f.workflow_id = ${wf.id}::uuid and f.record_id = t.id and f.fired_for = ${col}::text)
          order by ${col} limit ${BATCH}
          on conflict (workflow_id, record_id) do update set fired_for = excluded.fired_for, fired_at = now()
            where kizuna_workflow_date_fires.fired_for <> excluded.fired_for
          returning record_id::text as record_id, fired_for`);
          let n = 0;
          for (const f of fired) {
            if (t.condition) {
              const page = await opts.records.list(
                model.name,
                { filter: JSON.stringify({ and: [t.condition, { id: { eq: f.record_id } }] }), limit: '1', fields: 'id' },
                actor,
                tx,
              );
              if (!page.data.length) continue;
            }
            const record = await opts.records.get(model.name, f.record_id, actor, {}, tx);
            await insertRun(
              tx,
              wf,
              {
                trigger: {
                  type: 'record.date',
                  object: model.name,
                  record_id: f.record_id,
                  field: t.field,
                  offset: t.offset ?? '0',
                  date: record[t.field!] ?? f.fired_for,
                  record,
                },
                object: model.name,
                recordId: f.record_id,
              },
              opts.maxDepth,
            );
            n++;
          }
          return n;
        })
        .catch(async (e) => {
          if (!isWorkflowFault(e)) throw e;
          await opts.store.markFailing(wf.id, wf.version, {
            message: `Its trigger could not be evaluated: ${e.message}`,
            ...(e.errors?.length && { errors: e.errors }),
          });
          return 0;
        });
    }
    return started;
  }

  return { fire };
}
