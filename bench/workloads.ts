// The six benchmark workloads as request generators (deterministic: a seeded PRNG).
import { EN_FIRST, SEARCH_QUERIES, enLastName, jaFamilyName, jaGivenName, lifecycle, prng } from './data.ts';

export interface Shot {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export const ALL_WORKLOADS = ['get', 'list', 'include', 'count', 'q', 'create'] as const;
export type Workload = (typeof ALL_WORKLOADS)[number];

export const FILTER = JSON.stringify({ lifecycle: 'customer', score: { gte: 50 } });
const enc = encodeURIComponent;

export function workloads(ids: string[], companyIds: string[], seed = 7): Record<Workload, { label: string; next: () => Shot }> {
  const r = prng(seed);
  return {
    get: { label: 'get by id', next: () => ({ method: 'GET', path: `/api/records/contact/${r.pick(ids)}` }) },
    list: {
      label: 'filtered + sorted list (lifecycle=customer, score≥50, -score, limit 50)',
      next: () => ({ method: 'GET', path: `/api/records/contact?filter=${enc(FILTER)}&sort=-score&limit=50` }),
    },
    include: {
      label: 'list include=company (limit 50)',
      next: () => ({ method: 'GET', path: '/api/records/contact?include=company&limit=50' }),
    },
    count: {
      label: 'count with filter (count=exact, limit 1)',
      next: () => ({ method: 'GET', path: `/api/records/contact?filter=${enc(FILTER)}&count=exact&limit=1` }),
    },
    q: {
      label: `q search (${SEARCH_QUERIES.length} queries: ${SEARCH_QUERIES.join(' ')}; limit 50)`,
      next: () => ({ method: 'GET', path: `/api/records/contact?q=${enc(r.pick(SEARCH_QUERIES))}` }),
    },
    create: {
      label: 'create contact',
      next: () => {
        const ja = r.chance(0.65);
        const [fam, giv] = [jaFamilyName(r), jaGivenName(r)];
        const first = ja ? giv[0] : r.pick(EN_FIRST);
        const last = ja ? fam[0] : enLastName(r);
        const local = ja ? `${giv[2]}.${fam[2]}` : `${first}.${last}`.toLowerCase();
        return {
          method: 'POST',
          path: '/api/records/contact',
          body: JSON.stringify({
            last_name: last,
            first_name: first,
            last_name_kana: ja ? fam[1] : null,
            first_name_kana: ja ? giv[1] : null,
            email: `${local}${r.int(1, 99999)}@example.jp`,
            phone: `03-${r.int(1000, 9999)}-${r.int(1000, 9999)}`,
            lifecycle: lifecycle(r),
            score: r.int(0, 100),
            company: r.pick(companyIds),
          }),
        };
      },
    },
  };
}
