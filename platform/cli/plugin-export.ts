// `kizuna plugin export <name> --objects a,b --workflows "Name 1,Name 2"`: what an admin
// designed at run time (custom objects, custom fields on standard objects, published
// workflows) as a plugin folder that installs unchanged on another Kizuna — designs move from
// staging to production as plugins.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Executor } from '../db/index.ts';
import type { MetadataSnapshot } from '../metadata/index.ts';
import type { FieldSpec, ObjectSpec } from '../model/index.ts';

const clean = ({ standard: _s, sequence: _q, plugin: _p, ...f }: FieldSpec): FieldSpec => f as FieldSpec;

export interface ExportPlan {
  manifest: Record<string, unknown>;
  objects: ObjectSpec[];
  workflows: Record<string, unknown>[];
}

/** The active (published) definitions of the named workflows (by name or id), each with a key. */
export async function readWorkflows(db: Executor, names: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const [w] = await db.query<{ definition: unknown }>(sql`select v.definition from kizuna_workflows w
      join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version
      where w.name = ${n} or w.id::text = ${n} order by w.created_at limit 1`);
    if (!w) {
      missing.push(n);
      continue;
    }
    const def = (typeof w.definition === 'string' ? JSON.parse(w.definition) : w.definition) as Record<string, unknown>;
    const key =
      typeof def.key === 'string'
        ? def.key
        : String(def.name)
            .toLowerCase()
            .normalize('NFKC')
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '') || `workflow-${out.length + 1}`;
    out.push({ ...def, key });
  }
  if (missing.length) throw new Error(`no published workflow named ${missing.map((m) => `"${m}"`).join(', ')}`);
  return out;
}

/** Decides what goes into the plugin; throws with every reason it cannot. */
export function planExport(
  snapshot: MetadataSnapshot,
  name: string,
  objectNames: string[],
  version = '1.0.0',
  workflows: Record<string, unknown>[] = [],
): ExportPlan {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`"${name}" is not a plugin name`);
  if (objectNames.length === 0 && workflows.length === 0)
    throw new Error('name the objects to export with --objects a,b (and/or workflows with --workflows)');
  const problems: string[] = [];
  const objects: ObjectSpec[] = [];
  const fields: Record<string, FieldSpec[]> = {};
  for (const o of objectNames) {
    const model = snapshot.models.get(o);
    if (!model) {
      problems.push(`no object named "${o}"`);
      continue;
    }
    if (model.spec.plugin) problems.push(`${o} belongs to the plugin ${model.spec.plugin}`);
    if (model.spec.standard) {
      // A standard object exists everywhere: export only what an admin added to it.
      const custom = model.spec.fields.filter((f) => !f.standard && !f.plugin).map(clean);
      if (custom.length) fields[o] = custom;
    } else {
      const { standard: _s, plugin: _p, ...spec } = model.spec;
      objects.push({ ...spec, fields: spec.fields.filter((f) => !f.plugin).map(clean) });
    }
  }
  const exported = new Set(objects.map((o) => o.name));
  for (const f of [
    ...objects.flatMap((o) => o.fields.map((x) => [o.name, x] as const)),
    ...Object.entries(fields).flatMap(([o, fs]) => fs.map((x) => [o, x] as const)),
  ]) {
    const [o, field] = f;
    if (field.type !== 'relation') continue;
    const target = snapshot.models.get(field.target!);
    if (!exported.has(field.target!) && !target?.spec.standard)
      problems.push(`${o}.${field.name} relates to ${field.target}, which is neither standard nor exported`);
  }
  if (problems.length) throw new Error(`cannot export: ${problems.join('; ')}`);
  const keys = workflows.map((w) => String(w.key));
  if (new Set(keys).size !== keys.length) throw new Error(`cannot export: two workflows share a key (${keys.join(', ')})`);
  return {
    objects,
    workflows,
    manifest: {
      name,
      version,
      title: { en: name, ja: name },
      description: { en: `Exported from Kizuna: ${objectNames.join(', ')}.`, ja: `Kizuna から書き出し: ${objectNames.join('、')}` },
      kizuna: '^0.1.0',
      metadata: {
        ...(objects.length && { objects: objects.map((o) => `metadata/objects/${o.name}.json`) }),
        ...(Object.keys(fields).length && { fields }),
        ...(workflows.length && { workflows: workflows.map((w) => `metadata/workflows/${String(w.key)}.json`) }),
      },
    },
  };
}

export async function writeExport(dir: string, plan: ExportPlan): Promise<string[]> {
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  await mkdir(join(dir, 'metadata/objects'), { recursive: true });
  const written = [join(dir, 'plugin.json')];
  await writeFile(written[0], JSON.stringify(plan.manifest, null, 2) + '\n');
  for (const o of plan.objects) {
    const path = join(dir, 'metadata/objects', `${o.name}.json`);
    await writeFile(path, JSON.stringify(o, null, 2) + '\n');
    written.push(path);
  }
  if (plan.workflows.length) await mkdir(join(dir, 'metadata/workflows'), { recursive: true });
  for (const w of plan.workflows) {
    const path = join(dir, 'metadata/workflows', `${String(w.key)}.json`);
    await writeFile(path, JSON.stringify(w, null, 2) + '\n');
    written.push(path);
  }
  return written;
}
