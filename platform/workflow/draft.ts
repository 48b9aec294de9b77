// What a saved draft must be (issue 16): not a sound definition — a draft with problems is
// kept, so an admin can save half-done work and come back — but a shape the designer can open:
// a name, a trigger with a type, and steps with ids and types. Soundness is asked at publish.
import type { FieldProblem } from '../problems/index.ts';

const KEYS = new Set(['key', 'name', 'description', 'trigger', 'start', 'steps', 'variables']);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Why a body cannot be kept as a draft; [] when it can (it may still have problems). */
export function draftShapeErrors(input: unknown): FieldProblem[] {
  if (!isObj(input)) return [{ field: '(root)', message: 'must be a workflow definition (a JSON object)', keyword: 'type' }];
  const problems: FieldProblem[] = Object.keys(input)
    .filter((k) => !KEYS.has(k))
    .map((k) => ({ field: k, message: 'is not a known keyword here', keyword: 'additionalProperties' }));
  const must = (ok: boolean, field: string, message: string) => ok || problems.push({ field, message, keyword: 'type' });
  must(typeof input.name === 'string', 'name', 'must be a string');
  must(input.start === undefined || typeof input.start === 'string', 'start', 'must be a step id (a string)');
  must(isObj(input.trigger) && typeof input.trigger.type === 'string', 'trigger', 'must be an object with a type');
  if (!Array.isArray(input.steps)) must(false, 'steps', 'must be a list of steps');
  else
    input.steps.forEach((s, i) =>
      must(isObj(s) && typeof s.id === 'string' && typeof s.type === 'string', `steps.${i}`, 'must be a step with an id and a type'),
    );
  return problems;
}
