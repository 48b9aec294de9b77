// JSON Schemas of the dedupe routes' bodies and answers: the host checks them and publishes
// them in /api/openapi.json. The merge body's finer rules (distinct ids, fields a merge may
// set) stay in parseMergeRequest, which names every problem at once.
import { MAX_DUPLICATES } from './merge.ts';

const id = { type: 'string', description: 'A record id' };
const record = { type: 'object', description: 'A record as the caller may see it' };

export const duplicatesAnswer = {
  type: 'object',
  required: ['object', 'id', 'rules', 'data', 'capped'],
  properties: {
    object: { type: 'string' },
    id,
    rules: { type: 'array', items: { type: 'string' }, description: 'The rules applied' },
    data: {
      type: 'array',
      description: 'Candidates, best first',
      items: { type: 'object', required: ['id', 'score', 'rules', 'record'], properties: { id, score: { type: 'number' }, rules: { type: 'array', items: { type: 'string' } }, record } },
    },
    capped: { type: 'boolean', description: 'A candidate search hit its 200-record cap' },
  },
};

export const scanBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    partitions: { type: 'integer', minimum: 1, maximum: 1000, description: 'Passes over the records (default: one per 50,000 keys)' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'Most groups answered (default 100)' },
  },
};

export const scanAnswer = {
  type: 'object',
  required: ['object', 'scanned', 'partitions', 'rules', 'total_groups', 'groups', 'truncated'],
  properties: {
    object: { type: 'string' },
    scanned: { type: 'integer' },
    partitions: { type: 'integer' },
    rules: { type: 'array', items: { type: 'string' } },
    total_groups: { type: 'integer' },
    groups: {
      type: 'array',
      items: {
        type: 'object', required: ['ids', 'score', 'matches'],
        properties: {
          ids: { type: 'array', items: id },
          score: { type: 'number' },
          matches: { type: 'array', items: { type: 'object', required: ['rule', 'key', 'ids'], properties: { rule: { type: 'string' }, key: { type: 'string' }, ids: { type: 'array', items: id } } } },
        },
      },
    },
    truncated: { type: 'boolean' },
  },
};

// The ids a merge names are checked by the host before the handler runs: a master that is no
// uuid is a 422 naming master, not a 404 for a record nobody could have.
const recordId = { ...id, format: 'uuid' };

export const mergeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['master', 'duplicates'],
  properties: {
    master: recordId,
    duplicates: { type: 'array', items: recordId, minItems: 1, maxItems: MAX_DUPLICATES },
    fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'field → id of the record (master or a duplicate) to take it from' },
  },
};

export const mergeAnswer = {
  type: 'object',
  required: ['master', 'merged', 'taken', 'repointed'],
  properties: {
    master: record,
    merged: { type: 'array', items: id },
    taken: { type: 'object', additionalProperties: { type: 'string' } },
    repointed: { type: 'array', items: { type: 'object', required: ['object', 'field', 'count'], properties: { object: { type: 'string' }, field: { type: 'string' }, count: { type: 'integer' } } } },
  },
};
