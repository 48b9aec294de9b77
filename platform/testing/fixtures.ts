// Where tests find the real, externally authored data copied into the repository
// (test/fixtures/, licence notes beside each file): a fresh clone has everything it tests with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of test/fixtures/<path> (a file or, with a trailing slash, a folder). */
export function fixturePath(path: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));
}

/** The bytes of test/fixtures/<path>, exactly as stored (encodings and line endings are tested). */
export function readFixture(path: string): Buffer {
  return readFileSync(fixturePath(path));
}
