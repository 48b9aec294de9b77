// Global search, recent items and the records assigned to the caller in the OpenAPI document
// (issue 16). docs/API.md has the prose.
import {
  NO_CONTENT,
  NOT_FOUND,
  READ,
  WRITE,
  body,
  instant,
  json,
  label,
  list,
  obj,
  queryParam,
  ref,
  uuid,
  type Schema,
} from './openapi-parts.ts';

const tags = ['Search'];
export const searchTag = {
  name: 'Search',
  description: 'Search across every object the caller may read, their recently opened records and the open records assigned to them.',
};
const name = {
  oneOf: [label, { type: 'null' }],
  description: "The record's name by its object's display template; null when its name fields are empty or hidden from the caller.",
};
const limit = (fallback: number, max: number, what: string) =>
  queryParam('limit', `${what}: 1–${max}, default ${fallback}.`, { type: 'integer', minimum: 1, maximum: max, default: fallback });

export function searchSchemas(): Record<string, Schema> {
  return {
    SearchResult: obj(
      {
        q: { type: 'string' },
        groups: {
          type: 'array',
          description: 'One group per object with hits; the group holding the best hit first.',
          items: obj(
            {
              object: { type: 'string' },
              records: {
                type: 'array',
                items: obj({ id: uuid, name, match: { enum: ['exact', 'prefix', 'contains'] } }, ['id', 'name', 'match']),
              },
              has_more: {
                type: 'boolean',
                description: 'More records of this object match: the records list with `q` pages through them.',
              },
            },
            ['object', 'records', 'has_more'],
          ),
        },
        incomplete: {
          type: 'array',
          items: { type: 'string' },
          description: 'Objects not searched within the time budget: their hits are missing.',
        },
      },
      ['q', 'groups', 'incomplete'],
    ),
    RecentItem: obj({ object: { type: 'string' }, id: uuid, name, viewed_at: instant }, ['object', 'id', 'name', 'viewed_at']),
    RecentItemInput: { ...obj({ object: { type: 'string' }, id: uuid }, ['object', 'id']), additionalProperties: false },
    AssignedGroup: obj(
      {
        object: { type: 'string' },
        fields: { type: 'array', items: { type: 'string' }, description: 'The user fields that name the caller (owner, assignee).' },
        records: {
          type: 'array',
          items: obj(
            {
              id: uuid,
              name,
              values: {
                type: 'object',
                description: 'The values of the fields that can close a record (select fields with a closed option).',
              },
              updated_at: instant,
            },
            ['id', 'name', 'values', 'updated_at'],
          ),
        },
        total: { type: 'integer', description: 'How many open records of this object are assigned to the caller.' },
      },
      ['object', 'fields', 'records', 'total'],
    ),
  };
}

export const searchPaths: Record<string, Schema> = {
  '/api/search': {
    get: {
      operationId: 'searchEverything',
      tags,
      summary: 'Search every object the caller may read',
      description:
        "Each object with searchable fields is searched like the records list's `q` (substring after NFKC, lower case, hiragana → katakana, spaces removed), under the caller's read scope and field permissions. Hits are ranked: the record's name or a searchable value equal to the query, then starting with it, then the rest (among the newest 1,000 matches of each object), newest first within a rank. The whole search has a time budget of 3 s: objects not answered by then are named in `incomplete`.",
      parameters: [
        {
          ...queryParam('q', 'What to look for: 1–200 characters (trimmed).', { type: 'string', minLength: 1, maxLength: 200 }),
          required: true,
        },
        limit(5, 20, 'Hits per object'),
      ],
      responses: { '200': json(ref('SearchResult'), 'Hits grouped by object.'), ...READ },
    },
  },
  '/api/recent-items': {
    get: {
      operationId: 'listRecentItems',
      tags,
      summary: 'The records the caller opened lately, newest first',
      description:
        'Only records the caller may read now: one deleted, or out of their permissions since, is left out. The newest 50 views are kept per person.',
      parameters: [limit(20, 50, 'How many')],
      responses: { '200': json(list('RecentItem'), 'Recent items.'), ...READ },
    },
    post: {
      operationId: 'recordRecentItem',
      tags,
      summary: 'Note that the caller opened a record',
      description: 'The studio sends it when it opens a record page. A record the caller may not read is a 404.',
      requestBody: body(ref('RecentItemInput')),
      responses: { ...NO_CONTENT, ...WRITE, ...NOT_FOUND },
    },
  },
  '/api/assigned-records': {
    get: {
      operationId: 'listAssignedRecords',
      tags,
      summary: 'Open records assigned to the caller, per object',
      description:
        "In every object the caller may read that has a user field: the records whose user field (owner, assignee) is the caller, and whose select fields hold no option flagged `closed` (a case's Resolved and Closed statuses), most recently changed first.",
      parameters: [limit(10, 50, 'Records per object')],
      responses: { '200': json(list('AssignedGroup'), 'Groups of objects with such records.'), ...READ },
    },
  },
};
