// One way to build ajv for Kizuna: draft 2020-12, formats, strict, with x-kizuna known.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldProblem } from '../problems/index.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  (addFormats.default ?? addFormats)(ajv);
  // Our own keywords are data for storage, API and UI; ajv only needs to accept them.
  ajv.addKeyword({ keyword: 'x-kizuna', schemaType: 'object' });
  return ajv;
}

const metaSchemaUrl = (name: string) => new URL(`../../metadata/schema/${name}`, import.meta.url);
export const loadMetaSchema = (name: string) => JSON.parse(readFileSync(metaSchemaUrl(name), 'utf8'));

/** ajv errors of a definition (meta-schema) as field problems naming the keyword. */
export function definitionProblems(errors: ErrorObject[] | null | undefined): FieldProblem[] {
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const e of errors ?? []) {
    // if/then/else and anyOf produce a summary error after the real one; the real one is enough.
    if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'allOf') continue;
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const field = e.keyword === 'additionalProperties' ? joinPath(path, String(e.params.additionalProperty)) : path;
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known keyword here'
        : e.keyword === 'not' && e.schemaPath.includes('allOf')
          ? 'is not allowed for this field type'
          : e.keyword === 'required'
            ? `must have "${e.params.missingProperty}"`
            : `${e.message ?? 'is invalid'}`;
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const limit = e.params.limit;
    const params: FieldProblem['params'] =
      typeof limit === 'number' ? { limit } : e.keyword === 'required' ? { name: String(e.params.missingProperty) } : undefined;
    out.push({ field, message, keyword: e.keyword, ...(params && { params }) });
  }
  return out;
}

const joinPath = (a: string, b: string) => (a === '(root)' ? b : `${a}.${b}`);
