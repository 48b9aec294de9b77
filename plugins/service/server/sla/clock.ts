// The SLA clock's turn: cases whose warning time or due time has passed and that are not yet
// flagged get the flag, and that flag write is the event (record.updated on case, with
// sla_status / *_breached among its changed fields) that workflows trigger on. Each flag is
// written with the version the turn read (If-Match): a second node, or a turn run again after
// a crash, finds the version moved and writes nothing, so each warning and breach fires once.
import { ProblemError, type PluginRecords } from 'kizuna/plugin';

const BATCH = 200;
const FIELDS = 'version,first_response_due,first_responded_at,first_response_breached,resolution_due,resolution_breached,sla_status';

export interface TurnResult {
  warned: number;
  breached: number;
}

async function flagEach(records: PluginRecords, filter: unknown, valuesOf: (row: Record<string, unknown>) => Record<string, unknown>) {
  let flagged = 0;
  for (let round = 0; round < 50; round++) {
    const page = await records.list('case', { filter: JSON.stringify(filter), fields: FIELDS, sort: 'id', limit: String(BATCH) });
    let wrote = 0;
    for (const row of page.data) {
      try {
        await records.update('case', row.id as string, valuesOf(row), { ifMatch: Number(row.version) });
        wrote++;
      } catch (e) {
        // 412: another node (or a person) changed the case since it was read; it is read again next turn.
        if (!(e instanceof ProblemError && (e.status === 412 || e.status === 404))) throw e;
      }
    }
    flagged += wrote;
    if (page.data.length < BATCH || wrote === 0) break;
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
    return { ...(fr && { first_response_breached: true }), ...(res && { resolution_breached: true }), sla_status: 'breached' };
  });
  const warned = await flagEach(records, { and: [running, { sla_status: 'on_track' }, { sla_warning_at: { lte: now } }] }, () => ({
    sla_status: 'warning',
  }));
  return { warned, breached };
}
