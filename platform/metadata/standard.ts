// The standard objects (metadata/objects/*.json) are installed on first start, in one change.
import { readdirSync, readFileSync } from 'node:fs';
import { parseObjectInput, type ObjectSpec } from '../model/index.ts';
import type { Registry } from './registry.ts';

const objectsDir = new URL('../../metadata/objects/', import.meta.url);

export function loadStandardSpecs(): ObjectSpec[] {
  return readdirSync(objectsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const spec = parseObjectInput(JSON.parse(readFileSync(new URL(f, objectsDir), 'utf8')));
      return { ...spec, standard: true, fields: spec.fields.map((field) => ({ ...field, standard: true })) };
    });
}

/** Adds standard objects that are missing; objects an admin already has are left as they are. */
export async function installStandardObjects(registry: Registry): Promise<string[]> {
  const missing = loadStandardSpecs().filter((s) => !registry.find(s.name));
  if (missing.length === 0) return [];
  const { value } = await registry.change((specs) => {
    const added: string[] = [];
    for (const s of missing) {
      if (!specs.has(s.name)) {
        specs.set(s.name, s);
        added.push(s.name);
      }
    }
    return added;
  });
  return value;
}
