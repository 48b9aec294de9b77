// Spam scoring: a sum of rule scores against a threshold, as SpamAssassin does, plus the
// per-sender and per-domain allow and block lists an admin or (later) training maintains.
// Spam is never dropped: the verdict only routes the message to the spam view.
import { getDomain } from 'tldts';
import { SPAM_RULES, type SpamRule } from './spam-rules.ts';
import type { InboundMail } from './parse.ts';

export interface SenderLists {
  /** Addresses (a@example.com) or domains (example.com, or @example.com) whose mail is never spam. */
  allow?: string[];
  /** Addresses or domains whose mail is always spam. */
  block?: string[];
}

export interface SpamOptions {
  /** Score at or above which a message is spam (default 5, SpamAssassin's default). */
  threshold?: number;
  /** The rules to run (default: SPAM_RULES). */
  rules?: SpamRule[];
}

export interface SpamHit {
  rule: string;
  score: number;
}

export interface SpamVerdict {
  spam: boolean;
  score: number;
  /** The rules that matched, highest score first; lists are reported as rules too (ALLOW_LIST…). */
  hits: SpamHit[];
}

export const DEFAULT_THRESHOLD = 5;

/** Score a parsed message. Pure: the lists are data the caller loads. */
export function scoreSpam(mail: InboundMail, lists: SenderLists = {}, options: SpamOptions = {}): SpamVerdict {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const hits: SpamHit[] = [];
  for (const rule of options.rules ?? SPAM_RULES) {
    if (rule.test(mail)) hits.push({ rule: rule.name, score: rule.score });
  }
  hits.sort((a, b) => b.score - a.score);
  const ruleScore = round(hits.reduce((s, h) => s + h.score, 0));
  // GTUBE is the test message every spam filter must flag: no list overrides it.
  if (hits.some((h) => h.rule === 'GTUBE')) return { spam: true, score: ruleScore, hits };
  const sender = mail.from?.address.toLowerCase() ?? '';
  if (sender && listed(sender, lists.block)) return { spam: true, score: ruleScore, hits: [{ rule: 'BLOCK_LIST', score: 100 }, ...hits] };
  if (sender && listed(sender, lists.allow)) return { spam: false, score: ruleScore, hits: [{ rule: 'ALLOW_LIST', score: -100 }, ...hits] };
  return { spam: ruleScore >= threshold, score: ruleScore, hits };
}

/** Is the address, its domain, or a parent domain of it on the list? */
export function listed(address: string, list: string[] | undefined): boolean {
  if (!list?.length) return false;
  const entries = new Set(list.map((e) => e.trim().toLowerCase().replace(/^@/, '')));
  if (entries.has(address)) return true;
  const labels = address.slice(address.lastIndexOf('@') + 1).split('.');
  for (let i = 0; i < labels.length - 1; i++) if (entries.has(labels.slice(i).join('.'))) return true;
  return false;
}

/** A message an agent marked as spam or not spam. */
export interface LabelledSender {
  from: string;
  spam: boolean;
}

/**
 * Allow and block lists from marked messages (what "mark as spam / not spam" will store):
 * a ham sender's address is allowed; a spam sender's address is blocked, and so is its
 * registrable domain (spam rotates mailbox names on one domain) unless a ham sender shares it.
 */
export function learnSenderLists(labelled: LabelledSender[]): Required<SenderLists> {
  const hamDomains = new Set<string>();
  const allow = new Set<string>();
  for (const l of labelled) {
    if (l.spam) continue;
    allow.add(l.from.toLowerCase());
    const d = getDomain(l.from.slice(l.from.lastIndexOf('@') + 1));
    if (d) hamDomains.add(d);
  }
  const block = new Set<string>();
  for (const l of labelled) {
    if (!l.spam) continue;
    const address = l.from.toLowerCase();
    if (allow.has(address)) continue;
    block.add(address);
    const d = getDomain(address.slice(address.lastIndexOf('@') + 1));
    if (d && !hamDomains.has(d)) block.add(d);
  }
  return { allow: [...allow], block: [...block] };
}

const round = (n: number) => Math.round(n * 100) / 100;
