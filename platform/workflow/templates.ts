// Workflow templates: the definitions shipped in metadata/workflows/*.json, offered by the
// designer's new-workflow form (GET /api/workflows/templates). Read once per process.
import { readdirSync, readFileSync } from 'node:fs';
import { definitionErrors, type WorkflowDefinition } from './definition.ts';
import { logEvent } from '../log/index.ts';

export interface WorkflowTemplate {
  key: string;
  name: string;
  description: string;
  definition: WorkflowDefinition;
}

const DIR = new URL('../../metadata/workflows/', import.meta.url);

/** Every template that is a valid definition, by key; a file that is not is left out (and logged): the tests check the shipped ones. */
export function readTemplates(dir: URL = DIR): WorkflowTemplate[] {
  const out: WorkflowTemplate[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const def = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as WorkflowDefinition;
    const errors = definitionErrors(def);
    if (errors.length) {
      logEvent({ level: 'error', msg: `workflow template ${file} is not a valid definition`, errors });
      continue;
    }
    out.push({ key: def.key ?? file.replace(/\.json$/, ''), name: def.name, description: def.description ?? '', definition: def });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
