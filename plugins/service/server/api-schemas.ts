// JSON Schemas of the calendar routes' bodies and answers: the host checks them and publishes
// them in /api/openapi.json (tag plugin:service).
const instant = { type: 'string', format: 'date-time', description: 'An RFC 3339 timestamp with its offset; read to the minute' };

export const addAnswer = {
  type: 'object',
  required: ['calendar', 'from', 'minutes', 'due'],
  properties: {
    calendar: { type: 'string' },
    from: instant,
    minutes: { type: 'integer', minimum: 0 },
    due: { ...instant, description: 'The earliest instant with `minutes` business minutes between `from` and it (UTC)' },
  },
};

export const betweenAnswer = {
  type: 'object',
  required: ['calendar', 'from', 'to', 'minutes'],
  properties: {
    calendar: { type: 'string' },
    from: instant,
    to: instant,
    minutes: { type: 'integer', description: 'Business minutes in [from, to); negative when to is before from' },
  },
};

export const elapsedBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: instant,
    to: instant,
    pauses: {
      type: 'array',
      maxItems: 1000,
      description: 'Intervals [from, to) the clock was held (a case pending); may overlap',
      items: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: instant, to: instant } },
    },
  },
};

export const elapsedAnswer = {
  type: 'object',
  required: ['calendar', 'from', 'to', 'minutes', 'paused_minutes'],
  properties: {
    calendar: { type: 'string' },
    from: instant,
    to: instant,
    minutes: { type: 'integer', minimum: 0, description: 'Business minutes in [from, to) outside every pause' },
    paused_minutes: { type: 'integer', minimum: 0, description: 'Business minutes the pauses held back' },
  },
};
