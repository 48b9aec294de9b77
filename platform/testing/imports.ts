// Test support for imports through the HTTP API: upload a file, wait for its import to end,
// count an object's records.
import { expect } from 'vitest';
import { ADMIN_TOKEN, type TestKizuna } from './kizuna.ts';

export async function upload(k: TestKizuna, body: Uint8Array | string, query = 'object=contact&filename=test.csv', token = ADMIN_TOKEN) {
  const res = await k.app.request(`/api/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: body as BodyInit,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The import's status once it ended (succeeded, failed or cancelled). */
export async function finished(k: TestKizuna, id: string, timeout = 60_000) {
  let status: any;
  await expect
    .poll(async () => (status = (await k.call('GET', `/api/imports/${id}`)).body), { timeout, message: `import ${id} to end` })
    .toSatisfy((s: { state: string }) => ['succeeded', 'failed', 'cancelled'].includes(s.state));
  return status;
}

export const count = async (k: TestKizuna, object = 'contact') =>
  (await k.call('GET', `/api/records/${object}?count=exact&limit=1`)).body.page.total as number;
