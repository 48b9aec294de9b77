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

const label = { type: 'object', properties: { en: { type: ['string', 'null'] }, ja: { type: ['string', 'null'] } } };

export const daysAnswer = {
  type: 'object',
  required: ['calendar', 'time_zone', 'days'],
  properties: {
    calendar: { type: 'string' },
    time_zone: { type: 'string' },
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['date', 'weekday', 'hours', 'source'],
        properties: {
          date: { type: 'string', format: 'date' },
          weekday: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
          hours: {
            type: 'array',
            description: 'The business hours, ["HH:MM", "HH:MM"] in the calendar’s zone; empty: closed',
            items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
          },
          source: { enum: ['weekday', 'holiday', 'exception'], description: 'What decided the hours' },
          holiday: { ...label, description: 'The public holiday, when the day is one (an exception may still open it)' },
          label: { ...label, description: 'The exception’s label, when an exception decided the day' },
        },
      },
    },
  },
};
