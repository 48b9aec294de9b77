// CSV text as Kizuna writes it (exports and error reports): CRLF between records, and a cell
// holding a line break quoted.
import { stringify } from 'csv-stringify/sync';

/**
 * csv-stringify quotes a cell containing the record delimiter, but with record_delimiter set it
 * leaves a lone LF or CR unquoted unless quote_record_delimiter is on — and every CSV reader
 * (csv-parse, Excel) then splits the record there.
 */
export function csvText(rows: unknown[][]): string {
  return stringify(rows, { record_delimiter: 'windows', quote_record_delimiter: true, cast: { boolean: (b) => String(b) } });
}
