// plugin.json → a checked manifest with its metadata files read in.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import {
  createAjv,
  definitionProblems,
  loadMetaSchema,
  parseObjectInput,
  parseFieldInput,
  type FieldSpec,
  type ObjectSpec,
  type Label,
  type JsonSchema,
} from '../model/index.ts';
import type { RoleDef } from '../auth/index.ts';

import { validation } from '../problems/index.ts';

export interface PluginManifest {
  name: string;
  version: string;
  title: Label;
  description?: Label;
  kizuna: string;
  dependencies?: Record<string, string>;
  metadata?: {
    objects?: (string | ObjectSpec)[];
    fields?: Record<string, FieldSpec[]>;
    roles?: (string | RoleDef)[];
    views?: (string | Record<string, unknown>)[];
    workflows?: (string | Record<string, unknown>)[];
  };
  settings?: JsonSchema;
  server?: string;
  studio?: string;
}

/** A plugin found on disk: its manifest and everything it declares, resolved. */
export interface PluginPackage {
  manifest: PluginManifest;
  dir: string;
  /** Where it came from: bundled in plugins/ or an npm package. */
  source: 'bundled' | 'npm';
  objects: ObjectSpec[];
  fields: Record<string, FieldSpec[]>;
  roles: RoleDef[];
  views: Record<string, unknown>[];
  /** Workflow definitions, each with a key (checked by the workflow engine when installed). */
  workflows: Record<string, unknown>[];
  serverEntry?: string;
  studioEntry?: string;
}

const ajv = createAjv();
for (const name of ['label.schema.json', 'field.schema.json', 'object.schema.json', 'role.schema.json'])
  ajv.addSchema(loadMetaSchema(name));
const validateManifest = ajv.compile(loadMetaSchema('plugin.schema.json'));
const validateView = ajv.compile(loadMetaSchema('view.schema.json'));

/**
 * A path inside the plugin folder: a manifest may not point outside it, neither by its path
 * (`../x`) nor through a symbolic link whose target lies outside.
 */
function inside(dir: string, rel: string, field: string): string {
  const full = resolve(dir, rel);
  if (!full.startsWith(resolve(dir) + sep))
    throw validation(
      [{ field, message: `"${rel}" is outside the plugin folder`, keyword: 'outside_folder', params: { name: rel } }],
      `A path in the plugin in ${dir} leaves its folder`,
    );
  if (!existsSync(full))
    throw validation(
      [{ field, message: `"${rel}" does not exist`, keyword: 'missing_file', params: { name: rel } }],
      `A file the plugin in ${dir} names is missing`,
    );
  if (!realpathSync(full).startsWith(realpathSync(dir) + sep)) {
    throw validation(
      [
        {
          field,
          message: `"${rel}" is a symbolic link to a place outside the plugin folder`,
          keyword: 'outside_folder',
          params: { name: rel },
        },
      ],
      `A path in the plugin in ${dir} leaves its folder`,
    );
  }
  return full;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

export function checkManifest(raw: unknown, dir: string, source: PluginPackage['source']): PluginPackage {
  if (!validateManifest(raw)) throw validation(definitionProblems(validateManifest.errors), `plugin.json in ${dir} is invalid`);
  const manifest = raw as unknown as PluginManifest;
  const md = manifest.metadata ?? {};
  const objects = (md.objects ?? []).map((o, i) => {
    const spec = parseObjectInput(typeof o === 'string' ? readJson(inside(dir, o, `metadata.objects.${i}`)) : o);
    return { ...spec, plugin: manifest.name, fields: spec.fields.map(({ standard: _s, ...f }) => f) };
  });
  const fields: Record<string, FieldSpec[]> = {};
  for (const [object, list] of Object.entries(md.fields ?? {})) {
    fields[object] = list.map((f, i) => ({ ...parseFieldInput(f, `metadata.fields.${object}.${i}`), plugin: manifest.name }));
  }
  const roles = (md.roles ?? []).map((r, i) => (typeof r === 'string' ? readJson(inside(dir, r, `metadata.roles.${i}`)) : r) as RoleDef);
  const views = (md.views ?? []).map((v, i) => {
    const view = (typeof v === 'string' ? readJson(inside(dir, v, `metadata.views.${i}`)) : v) as Record<string, unknown>;
    if (!validateView(view))
      throw validation(
        definitionProblems(validateView.errors).map((p) => ({ ...p, field: `metadata.views.${i}.${p.field}` })),
        `A view of ${manifest.name} is invalid`,
      );
    if (typeof view.key !== 'string')
      throw validation([
        { field: `metadata.views.${i}.key`, message: "a plugin's view needs a key", keyword: 'required', params: { name: 'key' } },
      ]);
    return view;
  });
  const workflows = (md.workflows ?? []).map((w, i) => {
    const wf = (typeof w === 'string' ? readJson(inside(dir, w, `metadata.workflows.${i}`)) : w) as Record<string, unknown>;
    if (typeof wf.key !== 'string')
      throw validation([
        { field: `metadata.workflows.${i}.key`, message: "a plugin's workflow needs a key", keyword: 'required', params: { name: 'key' } },
      ]);
    return wf;
  });
  return {
    manifest,
    dir,
    source,
    objects,
    fields,
    roles,
    views,
    workflows,
    serverEntry: manifest.server ? inside(dir, manifest.server, 'server') : undefined,
    studioEntry: manifest.studio ? inside(dir, manifest.studio, 'studio') : undefined,
  };
}

export function readPluginDir(dir: string, source: PluginPackage['source']): PluginPackage {
  let raw: unknown;
  try {
    raw = readJson(inside(dir, 'plugin.json', 'plugin.json'));
  } catch (e) {
    if (e instanceof SyntaxError)
      throw validation(
        [{ field: 'plugin.json', message: `is not valid JSON: ${e.message}`, keyword: 'invalid_json' }],
        `plugin.json in ${dir} is not valid JSON`,
      );
    throw e;
  }
  return checkManifest(raw, dir, source);
}
