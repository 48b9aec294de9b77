// PostgreSQL truncates identifiers at 63 bytes; derived names (indexes, sequences) that would
// be cut are shortened with a hash so two of them can never collide.
import { createHash } from 'node:crypto';

export function physicalName(parts: string[], suffix: string): string {
  const full = `${parts.join('_')}_${suffix}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha1').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - suffix.length - 10)}_${hash}_${suffix}`;
}
