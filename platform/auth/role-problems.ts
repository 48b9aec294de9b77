// Role definition errors named like metadata errors: the path to the keyword that is wrong.
import type { ErrorObject } from 'ajv';
import { definitionProblems } from '../model/index.ts';

export const definitionProblemsOf = (errors: ErrorObject[] | null | undefined) =>
  definitionProblems((errors ?? []).filter((e) => e.keyword !== 'oneOf' || (errors ?? []).length === 1));
