// Upload bytes in and out of kizuna_import_chunks, streaming both ways so memory stays bounded.
import { sql, type Database } from '../db/index.ts';
import { tooLarge } from '../problems/index.ts';

export const CHUNK_BYTES = 1024 * 1024;

/** Stores a stream as chunks; over `limit` bytes it deletes what it wrote and throws 413. */
export async function storeUpload(db: Database, importId: string, body: AsyncIterable<Uint8Array>, limit: number): Promise<number> {
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    await db.query(sql`insert into kizuna_import_chunks (import_id, seq, data) values (${importId}::uuid, ${seq++}, ${data})`);
  };
  try {
    for await (const part of body) {
      size += part.byteLength;
      if (size > limit) throw tooLarge(`The file is over the import limit of ${limit} bytes (KIZUNA_IMPORT_LIMIT)`);
      pending.push(Buffer.from(part));
      pendingBytes += part.byteLength;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (e) {
    await db.query(sql`delete from kizuna_import_chunks where import_id = ${importId}::uuid`).catch(() => {});
    throw e;
  }
  return size;
}

/** The stored bytes, one chunk at a time. */
export async function* readUpload(db: Database, importId: string, maxBytes = Infinity): AsyncGenerator<Buffer> {
  let read = 0;
  for (let seq = 0; read < maxBytes; seq++) {
    const [row] = await db.query<{ data: Uint8Array }>(
      sql`select data from kizuna_import_chunks where import_id = ${importId}::uuid and seq = ${seq}`,
    );
    if (!row) return;
    const buf = Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
    read += buf.byteLength;
    yield buf;
  }
}

/** The first bytes of the upload (for detection). */
export async function headOf(db: Database, importId: string, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of readUpload(db, importId, bytes)) parts.push(b);
  return Buffer.concat(parts).subarray(0, bytes);
}
