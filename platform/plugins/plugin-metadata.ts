// A plugin's objects and fields in the desired metadata: what install and upgrade put there
// and uninstall takes away (the migrator then plans the tables).
import type { ObjectSpec } from '../model/index.ts';
import { conflict, validation } from '../problems/index.ts';
import type { PluginPackage } from './manifest.ts';

/** Puts a plugin's objects and fields into the desired metadata (install and upgrade). */
export function applyPluginMetadata(specs: Map<string, ObjectSpec>, pkg: PluginPackage): void {
  const name = pkg.manifest.name;
  for (const obj of pkg.objects) {
    const existing = specs.get(obj.name);
    if (existing && existing.plugin !== name)
      throw conflict(`The plugin ${name} brings the object "${obj.name}", which already exists`, [
        { field: 'metadata.objects', message: `"${obj.name}" is taken` },
      ]);
    const kept = existing?.fields ?? [];
    for (const f of obj.fields) {
      const old = kept.find((k) => k.name === f.name);
      if (old && old.type !== f.type)
        throw conflict(`${obj.name}.${f.name} changes type (${old.type} → ${f.type}); a plugin upgrade cannot change a field's type`);
    }
    specs.set(obj.name, { ...obj, plugin: name });
  }
  for (const spec of specs.values()) {
    if (spec.plugin === name && !pkg.objects.some((o) => o.name === spec.name)) specs.delete(spec.name);
  }
  for (const spec of specs.values())
    spec.fields = spec.fields.filter((f) => f.plugin !== name || (pkg.fields[spec.name] ?? []).some((n) => n.name === f.name));
  for (const [object, fields] of Object.entries(pkg.fields)) {
    const spec = specs.get(object);
    if (!spec)
      throw validation([
        { field: `metadata.fields.${object}`, message: `the plugin ${name} adds fields to "${object}", which does not exist` },
      ]);
    for (const f of fields) {
      const i = spec.fields.findIndex((x) => x.name === f.name);
      if (i >= 0 && spec.fields[i].plugin !== name)
        throw conflict(`The plugin ${name} adds ${object}.${f.name}, which already exists`, [
          { field: `metadata.fields.${object}`, message: `"${f.name}" is taken` },
        ]);
      if (i >= 0 && spec.fields[i].type !== f.type)
        throw conflict(`${object}.${f.name} changes type; a plugin upgrade cannot change a field's type`);
      if (i >= 0) spec.fields[i] = { ...f, plugin: name };
      else spec.fields.push({ ...f, plugin: name });
    }
  }
}

export function removePluginMetadata(specs: Map<string, ObjectSpec>, name: string): void {
  for (const spec of [...specs.values()]) if (spec.plugin === name) specs.delete(spec.name);
  for (const spec of specs.values()) spec.fields = spec.fields.filter((f) => f.plugin !== name);
}
