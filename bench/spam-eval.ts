// `npx tsx bench/spam-eval.ts`: the channels plugin's spam rules on the SpamAssassin public
// corpus copied into test/fixtures/mail/spamassassin (80 spam, 150 easy ham, 40 hard ham):
// how much spam is flagged and how much ham is, per folder and per rule. Figures only; the
// bounds (spam ≥ 90 %, ham ≤ 2 %) are asserted in plugins/channels/server/spam.test.ts.
import { readdirSync } from 'node:fs';
import { parseMail } from '../plugins/channels/server/parse.ts';
import { learnSenderLists, scoreSpam, type SenderLists } from '../plugins/channels/server/spam.ts';
import type { InboundMail } from '../plugins/channels/server/parse.ts';
import { SPAM_RULES } from '../plugins/channels/server/spam-rules.ts';
import { fixturePath, readFixture } from '../platform/testing/fixtures.ts';

export const CORPUS_FOLDERS = ['spam', 'ham', 'hard-ham'] as const;
export type Folder = (typeof CORPUS_FOLDERS)[number];

export interface FolderResult {
  folder: Folder;
  messages: number;
  flagged: number;
  /** Files flagged (for ham: the false positives), with their score. */
  flaggedFiles: { file: string; score: number; rules: string[] }[];
  /** Files not flagged (for spam: the misses). */
  missedFiles: { file: string; score: number; rules: string[] }[];
  ruleHits: Record<string, number>;
}

export interface Corpus {
  folder: Folder;
  file: string;
  mail: InboundMail;
}

export async function loadCorpus(): Promise<Corpus[]> {
  const out: Corpus[] = [];
  for (const folder of CORPUS_FOLDERS)
    for (const file of readdirSync(fixturePath(`mail/spamassassin/${folder}/`)).sort())
      out.push({ folder, file, mail: await parseMail(readFixture(`mail/spamassassin/${folder}/${file}`)) });
  return out;
}

/** Rules at a threshold, each message scored with the lists given for it (none by default). */
export function evaluateSpam(corpus: Corpus[], threshold?: number, listsFor: (c: Corpus) => SenderLists = () => ({})): FolderResult[] {
  return CORPUS_FOLDERS.map((folder) => {
    const r: FolderResult = { folder, messages: 0, flagged: 0, flaggedFiles: [], missedFiles: [], ruleHits: {} };
    for (const c of corpus.filter((x) => x.folder === folder)) {
      r.messages++;
      const verdict = scoreSpam(c.mail, listsFor(c), { threshold });
      const rules = verdict.hits.map((h) => h.rule);
      for (const rule of rules) r.ruleHits[rule] = (r.ruleHits[rule] ?? 0) + 1;
      const entry = { file: c.file, score: verdict.score, rules };
      if (verdict.spam) {
        r.flagged++;
        r.flaggedFiles.push(entry);
      } else r.missedFiles.push(entry);
    }
    return r;
  });
}

/**
 * Per-sender learning, cross-validated: the corpus in two halves (alternate messages of each
 * folder); the lists learnt from one half's labels score the other half, so no message is
 * scored with its own label.
 */
export function crossValidatedLists(corpus: Corpus[]): (c: Corpus) => SenderLists {
  const half = new Map<Corpus, number>();
  for (const folder of CORPUS_FOLDERS) corpus.filter((c) => c.folder === folder).forEach((c, i) => half.set(c, i % 2));
  const lists = [0, 1].map((h) =>
    learnSenderLists(
      corpus.filter((c) => half.get(c) === h && c.mail.from).map((c) => ({ from: c.mail.from!.address, spam: c.folder === 'spam' })),
    ),
  );
  return (c) => lists[1 - half.get(c)!];
}

export function summary(results: FolderResult[]) {
  const spam = results.find((r) => r.folder === 'spam')!;
  const ham = results.filter((r) => r.folder !== 'spam');
  const hamFlagged = ham.reduce((s, r) => s + r.flagged, 0);
  const hamTotal = ham.reduce((s, r) => s + r.messages, 0);
  return {
    spamFlagged: spam.flagged,
    spamTotal: spam.messages,
    hamFlagged,
    hamTotal,
    spamRate: spam.flagged / spam.messages,
    hamRate: hamFlagged / hamTotal,
  };
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const corpus = await loadCorpus();
  const ms = performance.now() - started;
  const bytes = corpus.reduce((n, c) => n + c.mail.size, 0);
  console.log(
    `parsed ${corpus.length} messages (${(bytes / 1024).toFixed(0)} KiB) in ${ms.toFixed(0)} ms: ${(ms / corpus.length).toFixed(1)} ms a message\n`,
  );
  const line = (label: string, results: FolderResult[]) => {
    const s = summary(results);
    const per = results.map((r) => `${r.folder} ${r.flagged}/${r.messages}`).join(', ');
    console.log(
      `${label.padEnd(34)} spam ${pct(s.spamFlagged, s.spamTotal).padStart(7)}  ham ${pct(s.hamFlagged, s.hamTotal).padStart(6)}  (${per})`,
    );
  };
  for (const t of [3, 3.5, 4, 4.5, 5, 6]) line(`rules, threshold ${t}`, evaluateSpam(corpus, t));
  const lists = crossValidatedLists(corpus);
  for (const t of [4, 4.5, 5]) line(`rules + learnt lists, threshold ${t}`, evaluateSpam(corpus, t, lists));
  const results = evaluateSpam(corpus);
  console.log('\nrule (threshold 5)            spam   ham  hard-ham');
  for (const rule of SPAM_RULES)
    console.log(
      `${rule.name.padEnd(30)}${String(results[0].ruleHits[rule.name] ?? 0).padStart(4)}  ${String(results[1].ruleHits[rule.name] ?? 0).padStart(4)}  ${String(results[2].ruleHits[rule.name] ?? 0).padStart(4)}`,
    );
  if (process.argv.includes('--files')) {
    for (const r of evaluateSpam(corpus, undefined, lists)) {
      const list = r.folder === 'spam' ? r.missedFiles : r.flaggedFiles;
      for (const f of list)
        console.log(`${r.folder} ${r.folder === 'spam' ? 'missed' : 'flagged'} ${f.file} ${f.score} ${f.rules.join(' ')}`);
    }
  }
}
