// Small shapes the auth stores check and format alike.
import { sql } from 'drizzle-orm';

/** to_char format of an instant in UTC as the API writes it (ISO 8601 with milliseconds). */
export const ISO_TIME = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

/** A user's, team's or link's id as it appears in a path (checked before it reaches a ::uuid cast). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
