// Structured logs: one JSON line per event (pino) on stderr — stdout stays for what people and
// parent processes read (the welcome banner, a test node's "ready"). Each line has the level
// as a word, an ISO time, `msg` and the event's fields; requests log through a child logger
// carrying their request_id. KIZUNA_LOG_LEVEL (info by default) chooses what is written.
import pino from 'pino';

export const log = pino(
  {
    level: process.env.KIZUNA_LOG_LEVEL ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  pino.destination({ dest: 2, sync: true }),
);

export type Logger = typeof log;

/** An event as the platform describes it: its level, its message, and any fields. */
export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

/** Writes one event through `logger` (the root logger, or a request's child). */
export function logEvent(e: LogEvent, logger: Logger = log): void {
  const { level, msg, ...fields } = e;
  logger[level](fields, msg);
}
