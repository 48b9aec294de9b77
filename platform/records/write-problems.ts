// What a refused single-record write answers: database errors turned into problems that name
// the field, and the checks that need no database.
import { dbErrorOf } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { conflict, notFound, ProblemError, validation } from '../problems/index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that is not a UUID names no record: 404, before the database would refuse the cast. */
export function mustBeId(model: ObjectModel, recordId: string): void {
  if (!UUID.test(recordId)) throw notFound(`No ${model.name} record with id "${recordId}"`);
}

/** Turns constraint and data errors into problems that name the field. */
export function translate(model: ObjectModel, e: unknown, values?: Record<string, unknown>): never {
  if (e instanceof ProblemError) throw e;
  const err = dbErrorOf(e);
  if (err?.code === '23505') {
    const field = (err.constraint && model.constraintFields.get(err.constraint)) || 'id';
    throw conflict(`Another ${model.name} record already has this ${field}`, [
      { field, message: 'is already used by another record', keyword: 'unique' },
    ]);
  }
  if (err?.code === '23503') {
    const field = (err.constraint && model.constraintFields.get(err.constraint)) || undefined;
    const f = field ? model.fields.get(field) : undefined;
    if (f) {
      const target = f.spec.type === 'user' ? 'user' : `${f.spec.target} record`;
      throw validation([{ field: f.name, message: `no ${target} with id ${String(values?.[f.name] ?? '')}`.trim(), keyword: 'reference' }]);
    }
    throw conflict('The record is still referenced by other records');
  }
  if (err?.code?.startsWith('22')) {
    throw validation([{ field: '(record)', message: err.message }], 'A value does not fit its field');
  }
  throw e;
}
