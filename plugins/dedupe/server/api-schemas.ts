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
        type: 'object',
        required: ['id', 'display', 'score', 'level', 'rules', 'evidence', 'record'],
        properties: {
          id,
          display: { type: 'string', description: 'How the record is named (a contact family name first)' },
          score: { type: 'number', description: '0–1, from the weighed evidence' },
          level: {
            enum: ['likely', 'possible'],
            description: 'likely: at or above the threshold (warn, block and the scan act on it); possible: worth a look',
          },
          rules: { type: 'array', items: { type: 'string' }, description: 'Rules that agreed' },
          evidence: {
            type: 'array',
            items: {
              type: 'object',
              required: ['rule', 'outcome', 'weight'],
              properties: {
                rule: { type: 'string' },
                outcome: { enum: ['agree', 'disagree', 'common', 'missing'] },
                weight: { type: 'number', description: 'bits: positive for, negative against' },
              },
            },
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
        type: 'object',
        required: ['ids', 'score', 'pairs', 'matches'],
        properties: {
          ids: { type: 'array', items: id },
          score: { type: 'number', description: 'The weakest pair of the group' },
          pairs: {
            type: 'array',
            items: {
              type: 'object',
              required: ['ids', 'score', 'rules'],
              properties: {
                ids: { type: 'array', items: id },
                score: { type: 'number' },
                rules: { type: 'array', items: { type: 'string' } },
              },
            },
          },
          matches: {
            type: 'array',
            items: {
              type: 'object',
              required: ['rule', 'key', 'ids'],
              properties: { rule: { type: 'string' }, key: { type: 'string' }, ids: { type: 'array', items: id } },
            },
          },
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
    fields: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'field → id of the record (master or a duplicate) to take it from',
    },
  },
};

const instant = { type: 'string', format: 'date-time' };
const repointed = {
  type: 'array',
  items: {
    type: 'object',
    required: ['object', 'field', 'count'],
    properties: { object: { type: 'string' }, field: { type: 'string' }, count: { type: 'integer' } },
  },
};

export const mergeAnswer = {
  type: 'object',
  required: ['merge', 'expires_at', 'master', 'merged', 'taken', 'repointed'],
  properties: {
    merge: { ...id, description: 'The merge (its dedupe_merge journal entry): what POST /unmerge/{object}/{merge} takes' },
    expires_at: { ...instant, description: 'Until when the merge can be undone (the merge time itself when unmerge_days is 0)' },
    master: record,
    merged: { type: 'array', items: id },
    taken: { type: 'object', additionalProperties: { type: 'string' } },
    repointed,
  },
};

export const unmergeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    force: { type: 'boolean', description: 'Put the values of the merge back even over fields changed since (otherwise a 409 names them)' },
  },
};

const path = { type: 'string', description: 'master.<field> or duplicates.<i>.<field>' };

export const unmergeAnswer = {
  type: 'object',
  required: ['merge', 'undone_at', 'master', 'restored', 'repointed', 'skipped', 'forced', 'kept'],
  properties: {
    merge: id,
    undone_at: instant,
    master: record,
    restored: { type: 'array', items: record, description: 'The duplicates, back from the trash, in the order of the merge' },
    repointed: { ...repointed, description: 'Relation rows pointed back at their duplicate' },
    skipped: {
      type: 'array',
      description:
        'Relation rows the merge moved that the undo left alone: changed (they point elsewhere now: points_to) or missing (erased, in the trash, or not readable)',
      items: {
        type: 'object',
        required: ['object', 'field', 'id', 'duplicate', 'reason'],
        properties: {
          object: { type: 'string' },
          field: { type: 'string' },
          id,
          duplicate: id,
          reason: { enum: ['changed', 'missing'] },
          points_to: { type: ['string', 'null'] },
        },
      },
    },
    forced: { type: 'array', items: path, description: 'Fields put back although changed since the merge (force)' },
    kept: {
      type: 'array',
      items: path,
      description: "The plugin's own markers (dedupe_matches, dedupe_review) left as they are, changed since the merge",
    },
  },
};

export const mergesAnswer = {
  type: 'object',
  required: ['object', 'id', 'data'],
  properties: {
    object: { type: 'string' },
    id,
    data: {
      type: 'array',
      description: 'The merges the record took part in, newest first',
      items: {
        type: 'object',
        required: [
          'id',
          'role',
          'master',
          'duplicates',
          'changed',
          'merged_by',
          'merged_at',
          'expires_at',
          'undone_at',
          'undone_by',
          'undoable',
          'not_undoable',
        ],
        properties: {
          id,
          role: { enum: ['master', 'duplicate'], description: 'The part the record took in it' },
          master: id,
          duplicates: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'state', 'record'],
              properties: { id, state: { enum: ['live', 'trash', 'gone'] }, record: { oneOf: [record, { type: 'null' }] } },
            },
          },
          changed: { type: 'array', items: { type: 'string' }, description: "The master's fields the merge changed" },
          merged_by: { type: ['string', 'null'] },
          merged_at: instant,
          expires_at: instant,
          undone_at: { type: ['string', 'null'] },
          undone_by: { type: ['string', 'null'] },
          undoable: { type: 'boolean' },
          not_undoable: {
            enum: ['undone', 'expired', 'later_merge', 'master_in_trash', 'master_gone', 'duplicate_gone', null],
            description: 'Why it cannot be undone now',
          },
        },
      },
    },
  },
};
