// The SLA clock's turn: cases whose warning time or due time has passed and that are not yet
// flagged get the flag, and that flag write is the event (record.updated on case, with
// sla_status / *_breached among its changed fields) that workflows trigger on. Each batch is
// one statement (records.mark) that writes a case only if it is still at the version the turn
// read: a second node, or a turn run again after a crash, writes nothing, so each warning and
// breach fires once.
import type { PluginRecords } from 'kizuna/plugin';

const BATCH = 200;
const FIELDS =
  'version,sla_breached_at,first_response_due,first_responded_at,first_response_breached,resolution_due,resolution_breached,sla_status';

export interface TurnResult {
  warned: number;
  breached: number;
}

async function flagEach(records: PluginRecords, filter: unknown, valuesOf: (row: Record<string, unknown>) => Record<string, unknown>) {
  let flagged = 0;
  // Bounded: a turn flags at most 50 batches; the rest wait for the next turn.
  for (let round = 0; round < 50; round++) {
    const page = await records.list('case', { filter: JSON.stringify(filter), fields: FIELDS, sort: 'id', limit: String(BATCH) });
    const written = await records.mark(
      'case',
      page.data.map((row) => ({ id: row.id as string, version: Number(row.version), values: valuesOf(row) })),
    );
    flagged += written.length;
    // A batch another node took entirely is not read again this turn (it would find the same rows).
    if (page.data.length < BATCH || written.length === 0) break;
  }
  return flagged;
}

/** One turn of the clock at `now` (an ISO timestamp). */
export async function clockTurn(records: PluginRecords, now: string): Promise<TurnResult> {
  const running = { sla_resumed_at: { is_null: false } };
  const firstResponseLate = {
    and: [{ first_response_due: { lte: now } }, { first_responded_at: { is_null: true } }, { first_response_breached: { neq: true } }],
  };
  const resolutionLate = { and: [{ resolution_due: { lte: now } }, { resolution_breached: { neq: true } }] };
  const breached = await flagEach(records, { and: [running, { or: [firstResponseLate, resolutionLate] }] }, (row) => {
    const fr =
      row.first_responded_at == null &&
      row.first_response_breached !== true &&
      row.first_response_due != null &&
      row.first_response_due <= now;
    const res = row.resolution_breached !== true && row.resolution_due != null && row.resolution_due <= now;
    return {
      ...(fr && { first_response_breached: true }),
      ...(res && { resolution_breached: true }),
      ...(row.sla_breached_at == null && { sla_breached_at: now }),
      sla_status: 'breached',
    };
  });
  const warned = await flagEach(records, { and: [running, { sla_status: 'on_track' }, { sla_warning_at: { lte: now } }] }, () => ({
    sla_status: 'warning',
  }));
  return { warned, breached };
}
