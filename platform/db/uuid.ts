// UUIDv7 (RFC 9562): time-ordered ids keep the primary-key index append-mostly and make
// "newest first" the id order. node:crypto has no v7 yet (Node 20).
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;
// Random bytes drawn 4 KiB at a time: one crypto call per ~400 ids instead of one or two per
// id (an import makes a million).
const pool = Buffer.alloc(4096);
let used = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function random(n: number): number {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

export function uuidv7(now = Date.now()): string {
  // Within one millisecond a 12-bit counter keeps ids from one process increasing.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = pool.readUInt16BE(random(2)) & 0x7ff;
  }
  const r = random(8);
  const b = [
    Math.floor(now / 2 ** 40) & 0xff,
    Math.floor(now / 2 ** 32) & 0xff,
    (now >>> 24) & 0xff,
    (now >>> 16) & 0xff,
    (now >>> 8) & 0xff,
    now & 0xff,
    0x70 | (seq >> 8),
    seq & 0xff,
    (pool[r] & 0x3f) | 0x80,
    pool[r + 1],
    pool[r + 2],
    pool[r + 3],
    pool[r + 4],
    pool[r + 5],
    pool[r + 6],
    pool[r + 7],
  ].map((x) => HEX[x]);
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
}
