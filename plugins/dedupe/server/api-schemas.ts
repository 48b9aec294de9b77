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
      description: 'Likely and possible duplicates, best first',
      items: {
        type: 'object', required: ['id', 'display', 'score', 'level', 'rules', 'evidence', 'record'],
        properties: {
          id,
          display: { type: 'string', description: 'How the record is named (a contact family name first)' },
          score: { type: 'number', description: '0–1, from the weighed evidence' },
          level: { enum: ['likely', 'possible'], description: 'likely: at or above the threshold (warn, block and the scan act on it); possible: worth a look' },
          rules: { type: 'array', items: { type: 'string' }, description: 'Rules that agreed' },
          evidence: {
            type: 'array',
            items: { type: 'object', required: ['rule', 'outcome', 'weight'], properties: { rule: { type: 'string' }, outcome: { enum: ['agree', 'disagree', 'common', 'missing'] }, weight: { type: 'number', description: 'bits: positive for, negative against' } } },
          },
          record,
        },
      },
    },
    capped: { type: 'boolean', description: 'At most 50 are answered' },
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
  required: ['object', 'scanned', 'partitions', 'rules', 'threshold', 'total_groups', 'groups', 'truncated'],
  properties: {
    object: { type: 'string' },
    scanned: { type: 'integer' },
    partitions: { type: 'integer' },
    rules: { type: 'array', items: { type: 'string' } },
    threshold: { type: 'number', description: 'Every two members of a group score at least this' },
    total_groups: { type: 'integer' },
    groups: {
      type: 'array',
      items: {
        type: 'object', required: ['ids', 'score', 'pairs', 'matches'],
        properties: {
          ids: { type: 'array', items: id },
          score: { type: 'number', description: 'The weakest pair of the group' },
          pairs: { type: 'array', items: { type: 'object', required: ['ids', 'score', 'rules'], properties: { ids: { type: 'array', items: id }, score: { type: 'number' }, rules: { type: 'array', items: { type: 'string' } } } } },
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
