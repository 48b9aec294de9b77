// Seeding for the benchmark: companies and contacts written straight into the platform's tables
// with COPY. This bypasses the records service on purpose — it is test setup, not the thing
// measured — so seeded rows have no kizuna_history / kizuna_events rows, which no benchmarked
// read looks at. The tables, columns and indexes are the ones the platform created from the
// metadata; indexes and foreign keys are dropped for the load and recreated from their exact
// catalog definitions afterwards (the fast way to bulk-load, and the end state is identical).
import type { Sql } from 'postgres';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  EN_COMPANY_A,
  EN_COMPANY_B,
  EN_COMPANY_C,
  EN_COMPANY_SUFFIX,
  EN_FIRST,
  EN_TITLES,
  JA_COMPANY_KINDS,
  JA_COMPANY_STEMS,
  JA_TITLES,
  JP_PLACES,
  JP_TOWNS,
  SIZES,
  SOURCES,
  TAGS,
  US_PLACES,
  US_STREETS,
  enLastName,
  jaFamilyName,
  jaGivenName,
  lifecycle,
  prng,
  uuidv7At,
  type Rng,
} from './data.ts';

export interface SeedOptions {
  schema: string;
  companies: number;
  contacts: number;
  /** The admin user: created_by / updated_by / owner of seeded rows. */
  actor: string;
  seed?: number;
  log: (msg: string) => void;
}

type Cell = string | number | boolean | null;

const escapeCell = (v: Cell): string => {
  if (v === null) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;
};

function* chunks(rows: Iterable<Cell[]>, per = 2000): Generator<string> {
  let buf: string[] = [];
  for (const r of rows) {
    buf.push(r.map(escapeCell).join('\t'));
    if (buf.length === per) {
      yield buf.join('\n') + '\n';
      buf = [];
    }
  }
  if (buf.length) yield buf.join('\n') + '\n';
}

async function copyRows(sql: Sql, table: string, columns: string[], rows: Iterable<Cell[]>): Promise<void> {
  const writable = await sql`copy ${sql(table)} (${sql(columns)}) from stdin`.writable();
  await pipeline(Readable.from(chunks(rows)), writable);
}

const digits = (r: Rng, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += r.int(0, 9);
  return s;
};

const COMPANY_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'name',
  'name_kana',
  'industry',
  'website',
  'phone',
  'email',
  'employees',
  'size',
  'annual_revenue',
  'annual_revenue__currency',
  'postal_code',
  'region',
  'city',
  'street',
  'country',
  'owner',
];

const CONTACT_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'last_name',
  'first_name',
  'last_name_kana',
  'first_name_kana',
  'email',
  'phone',
  'mobile',
  'title',
  'company',
  'lifecycle',
  'source',
  'tags',
  'owner',
  'postal_code',
  'region',
  'city',
  'street',
  'country',
  'do_not_contact',
  'notes',
  'score',
];

const FREE_MAIL = ['gmail.com', 'yahoo.co.jp', 'outlook.jp', 'icloud.com', 'docomo.ne.jp'];
const NOTES_JA = ['展示会で名刺交換', '来月フォローアップ予定', '見積もり送付済み', '紹介経由でのご縁', 'キーパーソン'];
const NOTES_EN = ['Met at the trade show', 'Follow up next month', 'Sent a quote', 'Referred by a partner', 'Key decision maker'];

function place(r: Rng, ja: boolean) {
  if (ja) {
    const [region, city, postal, area] = r.pick(JP_PLACES);
    return {
      region,
      city,
      area,
      country: 'JP',
      postal: `${postal}-${digits(r, 4)}`,
      street: `${r.pick(JP_TOWNS)}${r.int(1, 9)}-${r.int(1, 20)}-${r.int(1, 30)}`,
      phone: `${area}-${digits(r, 8 - area.length + 2)}`.replace(/^(\d+)-(\d+)(\d{4})$/, '$1-$2-$3'),
    };
  }
  const [region, city, area] = r.pick(US_PLACES);
  return {
    region,
    city,
    area,
    country: 'US',
    postal: digits(r, 5),
    street: `${r.int(1, 9999)} ${r.pick(US_STREETS)}`,
    phone: `+1 ${area}-555-${digits(r, 4)}`,
  };
}

interface Companies {
  ids: string[];
  domains: string[];
}

function* companyRows(n: number, r: Rng, actor: string, out: Companies): Generator<Cell[]> {
  const start = Date.UTC(2022, 0, 1);
  const span = Date.UTC(2023, 0, 1) - start;
  for (let i = 0; i < n; i++) {
    const ms = start + Math.floor((i * span) / n);
    const id = uuidv7At(ms, r);
    const ts = new Date(ms).toISOString();
    const ja = r.chance(0.7);
    let name: string;
    let kana: string | null;
    let industry: string;
    let domain: string;
    if (ja) {
      const [sk, skana, srom] = r.pick(JA_COMPANY_STEMS);
      const [kk, kkana, ind, krom] = r.pick(JA_COMPANY_KINDS);
      name = r.chance(0.6) ? `株式会社${sk}${kk}` : `${sk}${kk}株式会社`;
      kana = `${skana}${kkana}`;
      industry = ind;
      domain = `${srom}-${krom}-${i.toString(36)}.co.jp`;
    } else {
      const a = r.pick(EN_COMPANY_A);
      const b = r.pick(EN_COMPANY_B);
      const [c, ind] = r.pick(EN_COMPANY_C);
      name = `${a} ${b} ${c} ${r.pick(EN_COMPANY_SUFFIX)}`;
      kana = null;
      industry = ind;
      domain = `${a}${b}-${i.toString(36)}.com`.toLowerCase();
    }
    const p = place(r, ja);
    const [size, lo, hi] = r.pick(SIZES);
    const employees = r.int(lo, hi);
    out.ids.push(id);
    out.domains.push(domain);
    yield [
      id,
      ts,
      ts,
      actor,
      actor,
      name,
      kana,
      industry,
      `https://www.${domain}`,
      p.phone,
      `info@${domain}`,
      employees,
      size,
      String(employees * r.int(8, 40) * 1_000_000),
      'JPY',
      p.postal,
      p.region,
      p.city,
      p.street,
      p.country,
      r.chance(0.5) ? actor : null,
    ];
  }
}

function* contactRows(n: number, r: Rng, actor: string, companies: Companies): Generator<Cell[]> {
  const start = Date.UTC(2023, 0, 1);
  const span = Date.UTC(2025, 10, 1) - start;
  for (let i = 0; i < n; i++) {
    const ms = start + Math.floor((i * span) / n);
    const id = uuidv7At(ms, r);
    const ts = new Date(ms).toISOString();
    const ja = r.chance(0.65);
    let last: string, first: string, lastKana: string | null, firstKana: string | null, local: string;
    if (ja) {
      const [fk, fkana, from] = jaFamilyName(r);
      const [gk, gkana, grom] = jaGivenName(r);
      [last, first, lastKana, firstKana, local] = [fk, gk, fkana, gkana, `${grom}.${from}`];
    } else {
      first = r.pick(EN_FIRST);
      last = enLastName(r);
      [lastKana, firstKana, local] = [null, null, `${first}.${last}`.toLowerCase()];
    }
    const hasCompany = companies.ids.length > 0 && r.chance(0.95);
    const ci = hasCompany ? r.int(0, companies.ids.length - 1) : -1;
    const p = place(r, ja);
    const tags = r.chance(0.3) ? [...new Set([r.pick(TAGS), r.pick(TAGS)])] : null;
    yield [
      id,
      ts,
      ts,
      actor,
      actor,
      last,
      first,
      lastKana,
      firstKana,
      `${local}${r.int(1, 999)}@${hasCompany ? companies.domains[ci] : r.pick(FREE_MAIL)}`,
      p.phone,
      r.chance(0.6) ? (ja ? `090-${digits(r, 4)}-${digits(r, 4)}` : `+1 ${p.area}-555-${digits(r, 4)}`) : null,
      r.chance(0.8) ? (ja ? r.pick(JA_TITLES) : r.pick(EN_TITLES)) : null,
      hasCompany ? companies.ids[ci] : null,
      lifecycle(r),
      r.chance(0.8) ? r.pick(SOURCES) : null,
      tags ? `{${tags.join(',')}}` : null,
      r.chance(0.5) ? actor : null,
      p.postal,
      p.region,
      p.city,
      p.street,
      p.country,
      r.chance(0.03),
      r.chance(0.1) ? (ja ? r.pick(NOTES_JA) : r.pick(NOTES_EN)) : null,
      r.int(0, 100),
    ];
  }
}

/** Drops the secondary indexes and foreign keys of `tables`, runs fn, recreates them exactly. */
async function withoutIndexes(sql: Sql, schema: string, tables: string[], log: (m: string) => void, fn: () => Promise<void>) {
  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    select i.indexname, i.indexdef from pg_indexes i
    where i.schemaname = ${schema} and i.tablename in ${sql(tables)}
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = ${schema}::regnamespace)`;
  const fks = await sql<{ tbl: string; conname: string; def: string }[]>`
    select c.conrelid::regclass::text as tbl, c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
    where c.contype = 'f' and c.conrelid in (select (${schema} || '.' || t)::regclass from unnest(${tables}::text[]) t)`;
  for (const f of fks) await sql.unsafe(`alter table ${f.tbl} drop constraint "${f.conname}"`);
  for (const i of indexes) await sql.unsafe(`drop index "${schema}"."${i.indexname}"`);
  await fn();
  await sql`set maintenance_work_mem = '1GB'`;
  for (const i of indexes) {
    const t0 = performance.now();
    await sql.unsafe(i.indexdef);
    log(`  index ${i.indexname}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const f of fks) await sql.unsafe(`alter table ${f.tbl} add constraint "${f.conname}" ${f.def}`);
  await sql`reset maintenance_work_mem`;
}

export async function seed(sql: Sql, opts: SeedOptions): Promise<{ seconds: number }> {
  const t0 = performance.now();
  const r = prng(opts.seed ?? 20261124);
  const companies: Companies = { ids: [], domains: [] };
  await sql.begin(async (tx) => {
    // One transaction: a half-seeded schema is never left behind.
    await withoutIndexes(tx as unknown as Sql, opts.schema, ['company', 'contact'], opts.log, async () => {
      let t = performance.now();
      await copyRows(tx as unknown as Sql, 'company', COMPANY_COLUMNS, companyRows(opts.companies, r, opts.actor, companies));
      opts.log(`  copied ${opts.companies.toLocaleString('en')} companies in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      t = performance.now();
      await copyRows(tx as unknown as Sql, 'contact', CONTACT_COLUMNS, contactRows(opts.contacts, r, opts.actor, companies));
      opts.log(`  copied ${opts.contacts.toLocaleString('en')} contacts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    });
  });
  return { seconds: (performance.now() - t0) / 1000 };
}
