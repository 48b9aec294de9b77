// Password hashes with scrypt (memory-hard, in node:crypto): "scrypt$N$r$p$salt$hash".
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((ok, fail) => scryptCb(password, salt, keylen, opts, (e, key) => (e ? fail(e) : ok(key))));

// N=2^15, r=8: 32 MiB and ~60 ms per hash on this machine — OWASP's scrypt minimum is 2^17 with
// r=8, p=1; we stay at 2^15 so that login under load does not exhaust memory on 2 cores.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEYLEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check; a malformed or missing hash is simply "no". */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return stored !== undefined && stored !== null && timingSafeEqual(key, expected);
}

// Checking an unknown account against a dummy hash costs the same time as a real check, so
// response times do not tell which emails exist.
const DUMMY = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'must be a string';
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  return undefined;
}

// No 0/O, 1/l/I: read from a screen and typed by hand.
const TEMPORARY_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password an admin hands over once (16 characters, ~94 bits). */
export function temporaryPassword(): string {
  const bytes = randomBytes(32);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const b of bytes) {
    if (b >= 256 - (256 % TEMPORARY_ALPHABET.length)) continue;
    out += TEMPORARY_ALPHABET[b % TEMPORARY_ALPHABET.length];
    if (out.length === 16) return out;
  }
  return out + temporaryPassword().slice(out.length);
}
