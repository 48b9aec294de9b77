// What the dedupe plugin needs to know of an object, read from its definition (ctx.metadata).
import type { PluginMetadata } from 'kizuna/plugin';

type ObjectDef = ReturnType<PluginMetadata['object']>;

export interface ObjectShape {
  name: string;
  /** Declared fields the caller can see, by type. */
  fields: Map<string, string>;
  /** Fields holding a record or user id (compared as they are). */
  references: Set<string>;
  searchable: Set<string>;
  /** Fields a merge may copy: declared, not computed by the platform. */
  copyable: string[];
}

export function objectShape(def: ObjectDef): ObjectShape {
  const fields = new Map<string, string>();
  const references = new Set<string>();
  const searchable = new Set<string>();
  const copyable: string[] = [];
  for (const [name, p] of Object.entries(def.properties)) {
    const k = p['x-kizuna'];
    if (!k || k.system) continue;
    fields.set(name, k.type);
    if (k.type === 'relation' || k.type === 'user') references.add(name);
    if (k.searchable) searchable.add(name);
    if (k.type !== 'autonumber' && !p.readOnly) copyable.push(name);
  }
  return { name: def['x-kizuna'].name, fields, references, searchable, copyable };
}

/** Relation fields of every object that point at `target`: [{ object, field }]. */
export function relationsTo(defs: ObjectDef[], target: string): { object: string; field: string }[] {
  return defs.flatMap((d) =>
    Object.entries(d.properties)
      .filter(([, p]) => p['x-kizuna']?.type === 'relation' && p['x-kizuna'].target === target)
      .map(([field]) => ({ object: d['x-kizuna'].name, field })),
  );
}

/**
 * The rules as they apply to what the caller sees: "any of" rules keep their visible fields,
 * "all of" rules need every field (a rule on a hidden field would leak it, and the query
 * layer refuses hidden fields anyway).
 */
export function visibleRules<R extends { kind: string; fields: string[] }>(rules: R[], shape: ObjectShape): R[] {
  const anyOf = new Set(['email', 'phone', 'domain', 'address']);
  return rules.flatMap((r) => {
    const fields = r.fields.filter((f) => shape.fields.has(f));
    if (!fields.length || (!anyOf.has(r.kind) && fields.length !== r.fields.length)) return [];
    return [{ ...r, fields }];
  });
}
