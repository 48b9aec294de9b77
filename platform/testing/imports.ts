// Test support for imports through the HTTP API: upload a file, wait for its import to end,
// count an object's records.
import { ADMIN_TOKEN, type TestKizuna } from './kizuna.ts';

export async function upload(k: TestKizuna, body: Uint8Array | string, query = 'object=contact&filename=test.csv', token = ADMIN_TOKEN) {
  const res = await k.app.request(`/api/imports?${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: body as BodyInit });
  return { status: res.status, body: (await res.json()) as any };
}

export async function finished(k: TestKizuna, id: string, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const s = (await k.call('GET', `/api/imports/${id}`)).body;
    if (['succeeded', 'failed', 'cancelled'].includes(s.state)) return s;
    if (Date.now() > until) throw new Error(`import still ${s.state}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const count = async (k: TestKizuna, object = 'contact') => (await k.call('GET', `/api/records/${object}?count=true&limit=1`)).body.page.total as number;
