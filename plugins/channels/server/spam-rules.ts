// The spam rules: each a general property of unsolicited bulk mail, named and scored after the
// SpamAssassin rule it follows (Apache SpamAssassin 3.4/4.0 rules, 20_*.cf and 25_*.cf; names
// in `source`). None is keyed to a particular message. Scores are ours, lower than
// SpamAssassin's for the rules that hit newsletters people asked for (the hard-ham corpus).
import type { InboundMail } from './parse.ts';

export interface SpamRule {
  name: string;
  score: number;
  /** Where the idea comes from. */
  source: string;
  test: (mail: InboundMail) => boolean;
}

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

const header = (mail: InboundMail, name: string) => mail.headers.find((h) => h.name === name)?.value;
const has = (mail: InboundMail, name: string) => mail.headers.some((h) => h.name === name);
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
const body = (mail: InboundMail) => `${mail.subject}\n${mail.text}`;
const bodyMatches = (re: RegExp) => (mail: InboundMail) => re.test(body(mail));
const LIST_HEADERS = new Set(['list-id', 'list-post', 'list-unsubscribe', 'mailing-list', 'x-mailing-list']);
// The same domain, also when one side names a subdomain (host.example.com, example.com).
const sameDomain = (a: string, b: string) => {
  const da = domainOf(a);
  const db = domainOf(b);
  return da === db || da.endsWith(`.${db}`) || db.endsWith(`.${da}`);
};
const letters = (s: string) => s.replace(/[^A-Za-z]/g, '');

// Charsets of scripts a Japanese or English support desk does not read (SpamAssassin's
// CHARSET_FARAWAY with ok_locales en ja). Chinese-writing customers would want gb2312/big5
// off this list: it becomes a setting when intake is wired.
const FARAWAY_CHARSETS =
  /^(ks_c_5601-1987|euc-kr|iso-2022-kr|gb2312|gbk|gb18030|big5|big5-hkscs|koi8-[ru]|windows-1251|iso-8859-5|windows-1256|iso-8859-6|tis-620|windows-874)$/i;

export const SPAM_RULES: SpamRule[] = [
  {
    name: 'GTUBE',
    score: 1000,
    source: 'GTUBE, the Generic Test for Unsolicited Bulk Email (spamassassin.apache.org/gtube)',
    test: (m) => m.text.includes(GTUBE) || (m.html ?? '').includes(GTUBE),
  },
  {
    name: 'JAPANESE_UCE',
    score: 5,
    source: 'JAPANESE_UCE_SUBJECT: 未承諾広告※, the mark Japanese law (特定電子メール法) required on unsolicited advertising',
    test: (m) => /未承諾広告/.test(m.subject),
  },
  {
    name: 'SUBJ_ADV',
    score: 3,
    source: 'ADVERT_CODE / SUBJ_ADV: "ADV:", the label US state laws required on unsolicited advertising',
    test: (m) => /^\s*(\[[^\]]*\]\s*)?adv\s*[:：]/i.test(m.subject),
  },
  {
    name: 'BILL_1618',
    score: 3,
    source: 'BILL_1618: "sent in compliance with bill S.1618 title III", a claim only bulk mailers make',
    test: bodyMatches(/\bS\.?\s?1618\b|\bsection\s+301\b.{0,40}\bparagraph/i),
  },
  {
    name: 'NOT_SPAM_CLAIM',
    score: 2,
    source: 'NOT_SPAM / NOT_UNSOLICITED: mail saying it is not spam',
    test: bodyMatches(
      /\bthis\s+(is\s+not|isn'?t|is\s+in\s+no\s+way)\s+(a\s+)?(spam|unsolicited)|\bnot\s+(an?\s+)?unsolicited\b|\b(was|is)\s+not\s+sent\s+unsolicited/i,
    ),
  },
  {
    name: 'REMOVE_INSTRUCTIONS',
    score: 1.5,
    source: 'REMOVE_SUBJ / LINK_TO_NO_SCHEME…: "reply with REMOVE in the subject" opt-out instructions',
    test: bodyMatches(
      /\b(to\s+be\s+removed|be\s+taken\s+off|remove\s+(me|yourself)\b|(reply|respond|e-?mail|send)\b.{0,60}\bremove\b|\bremove\b.{0,40}\b(subject\s+line|in\s+the\s+subject)|(subject|list)\W{0,5}remove\b)/i,
    ),
  },
  {
    name: 'ADVANCE_FEE',
    score: 2.5,
    source: 'ADVANCE_FEE_* (419 fraud): next of kin, fund transfers, a deceased client, a confidential proposal',
    test: bodyMatches(
      /\bnext\s+of\s+kin\b|\b(transfer|remit|move)\b.{0,60}\b(funds?|sum\s+of)\b|\bconfidential\b.{0,30}\b(business|proposal|transaction)\b|\b(late|deceased)\s+(husband|father|client|president)\b|\b(us\s?\$|usd)\s?\d[\d,.]*\s*(million|m\b)/i,
    ),
  },
  {
    name: 'DRUGS_ADULT',
    score: 2,
    source: 'DRUGS_ERECTILE, DRUGS_DIET, ADULT_SITE (sa-update body rules)',
    test: bodyMatches(
      /\b(viagra|cialis|penis|enlargement|porn|hardcore|xxx+|adult\s+(site|entertainment|content|web)|teen\s+\w*\s*(sex|lesbian)|lose\s+weight|lose\s+\d+(\s*-\s*\d+)?\s*(lbs|pounds|kg)|weight\s+loss|diet\s+pills?|fat\s+burn)/i,
    ),
  },
  {
    name: 'GUARANTEE',
    score: 1.5,
    source: 'GUARANTEED_100_PERCENT, RISK_FREE, NO_OBLIGATION',
    test: bodyMatches(
      /\b100\s?%\s+(free|guaranteed?|satisf|legal|risk)|money[- ]back\s+guarantee|\brisk[- ]free\b|\bno\s+obligation\b|satisfaction\s+guaranteed/i,
    ),
  },
  {
    name: 'MONEY_MAKING',
    score: 1.5,
    source: 'EARN_MONEY, WORK_AT_HOME, MLM, FIN_FREE (body rules)',
    test: bodyMatches(
      /\b(make|earn|making|earning)\s+(\$|money|cash|extra|up\s+to)|\bwork(ing)?\s+(from|at)\s+home\b|\bhome[- ]based\s+business\b|\bfinancial\s+freedom\b|\bextra\s+income\b|\bmulti[- ]level\s+marketing\b|\bcash\s+(bonus|prizes?)\b/i,
    ),
  },
  {
    name: 'FINANCE_OFFER',
    score: 1,
    source: 'MORTGAGE_*, DEBT_*, LOW_RATE (body rules)',
    test: bodyMatches(
      /\b(mortgage|refinanc\w*|lowest\s+rates?|debt\s+(consolidation|free|relief)|credit\s+(report|rating|repair)|home\s+loans?|pre-?approved)\b/i,
    ),
  },
  {
    name: 'URGENCY',
    score: 1,
    source: 'ACT_NOW_*, LIMITED_TIME_ONLY, ORDER_NOW',
    test: bodyMatches(
      /\b(act\s+now|limited\s+time\s+(only|offer)|order\s+(now|today)|call\s+(now|today)|don'?t\s+delay|while\s+supplies\s+last|apply\s+now|respond\s+now)\b/i,
    ),
  },
  {
    name: 'DEAR_SOMEBODY',
    score: 1,
    source: 'DEAR_FRIEND, DEAR_SOMETHING: a greeting that knows no name',
    test: bodyMatches(/^\s*dear\s+(friend|sir|madam|sir\s*\/\s*madam|valued\s+(customer|member)|winner|beneficiary|account\s+holder)\b/im),
  },
  {
    name: 'OPT_OUT_LINK',
    score: 1,
    source: 'REMOVE_PAGE / UNSUB_PAGE: "to be removed from the list go to …", "allow 48-72 hours for removal"',
    test: bodyMatches(
      /\b(remove\s+your\s+(e-?mail\s+)?address|leave\s+this\s+list|(wish|want|like)\s+to\s+be\s+(removed|excluded)|allow\s+\d+(\s*-\s*\d+)?\s+(hours|days|business\s+days)\s+(for|to\s+process)\s+(your\s+)?removal|no\s+longer\s+wish\s+to\s+receive)\b/i,
    ),
  },
  {
    name: 'TRACKER_ID',
    score: 1.5,
    source:
      'TRACKER_ID: a random token (letters and digits mixed) ending the body, or a subject padded with spaces to push one out of sight',
    test: (m) => {
      const last = m.text.trim().split('\n').pop()?.trim() ?? '';
      const token = /^[a-z0-9][-_a-z0-9]{9,60}$/i.test(last) && /\d/.test(last) && /[a-z]/i.test(last) && !/^[a-z]+-?\d+$/i.test(last);
      return token || /\S\s{8,}\S+\s*$/.test(m.subject);
    },
  },
  {
    name: 'LOW_PRICE',
    score: 0.7,
    source: 'US_DOLLARS_3 / ONLY_COST: "for only $14.95", "save up to 70%"',
    test: bodyMatches(/\b(only|just|as\s+little\s+as)\s+(\$|us\$|€|£)\s?\d|\bsave\s+(up\s+to\s+)?\d+\s?%/i),
  },
  {
    name: 'CLICK_HERE',
    score: 0.7,
    source: 'CLICK_BELOW / CLICK_HERE_LINK',
    test: bodyMatches(/\bclick\s+(here|below|the\s+link)\b/i),
  },
  {
    name: 'BIG_MONEY',
    score: 0.8,
    source: 'MILLION_USD, DOLLAR_AMOUNTS: large sums of money',
    test: bodyMatches(/\$\s?\d{1,3}(,\d{3}){1,}|\$\s?\d{5,}|\b\d+(\.\d+)?\s*million\s+(us\s+)?dollars\b/i),
  },
  {
    name: 'SUBJ_ALL_CAPS',
    score: 1.5,
    source: 'SUBJ_ALL_CAPS',
    test: (m) => letters(m.subject).length >= 10 && letters(m.subject) === letters(m.subject).toUpperCase(),
  },
  {
    name: 'SUBJ_MONEY_OR_FREE',
    score: 1,
    source: 'SUBJ_FREE, SUBJ_DOLLARS',
    test: (m) => /\bfree\b|\$\s?\d|\b\d+\s?%\s+off\b/i.test(m.subject),
  },
  {
    name: 'SUBJ_EXCLAIM',
    score: 0.7,
    source: 'PLING_PLING, SUBJ_EXCLAIM',
    test: (m) => /!\s*$|!!/.test(m.subject),
  },
  {
    name: 'EXCESS_CAPS',
    score: 1,
    source: 'UPPERCASE_50_75 / UPPERCASE_75_100: a body shouting in capitals',
    test: (m) => {
      const l = letters(m.text);
      return l.length >= 200 && l.replace(/[^A-Z]/g, '').length / l.length > 0.4;
    },
  },
  {
    name: 'EXCLAIM_MANY',
    score: 0.7,
    source: 'BODY_EXCLAIM (several "!!!")',
    test: (m) => (m.text.match(/[!?]{3,}|!!/g) ?? []).length >= 2 || /[!?]{3,}/.test(m.subject),
  },
  {
    name: 'NUMERIC_HTTP_ADDR',
    score: 1.5,
    source: 'NUMERIC_HTTP_ADDR: links to a bare IP address',
    test: (m) => /https?:\/\/\d{1,3}(\.\d{1,3}){3}\b/i.test(`${m.text}\n${m.html ?? ''}`),
  },
  {
    name: 'HTTP_ESCAPED_HOST',
    score: 1,
    source: 'HTTP_ESCAPED_HOST, URI_OBFU_*: %-escaped host names, user@host tricks',
    test: (m) => /https?:\/\/[^/\s"'<>]*(%[0-9a-f]{2}|@)[^/\s"'<>]*/i.test(`${m.text}\n${m.html ?? ''}`),
  },
  {
    name: 'MIME_HTML_ONLY',
    score: 1,
    source: 'MIME_HTML_ONLY: HTML with no text alternative',
    test: (m) => m.html !== null && !m.parts.some((p) => p.contentType === 'text/plain' && p.size > 0),
  },
  {
    name: 'HTML_SHORT_WITH_IMAGES',
    score: 1,
    source: 'HTML_IMAGE_ONLY_*: little text around images',
    test: (m) => m.html !== null && /<img\b/i.test(m.html) && m.text.replace(/\s+/g, '').length < 400,
  },
  {
    name: 'HTML_WEB_BUGS',
    score: 0.5,
    source: "HTML_IMAGE_RATIO / web bugs: images fetched from the sender's server (the sanitizer removed them)",
    test: (m) => m.warnings.includes('html_remote_content_blocked'),
  },
  {
    name: 'HTML_FONT_BIG',
    score: 0.5,
    source: 'HTML_FONT_SIZE_HUGE / HTML_FONT_SIZE_LARGE',
    test: (m) => /<font[^>]*\bsize="?\+?[4-7]/i.test(m.html ?? ''),
  },
  {
    name: 'CHARSET_FARAWAY',
    score: 2,
    source: 'CHARSET_FARAWAY / CHARSET_FARAWAY_HEADER (ok_locales en ja)',
    test: (m) =>
      m.parts.some((p) => p.charset !== null && FARAWAY_CHARSETS.test(p.charset)) ||
      /=\?(ks_c_5601-1987|euc-kr|gb2312|big5|koi8-r)\?/i.test(header(m, 'subject') ?? ''),
  },
  {
    name: 'HEADER_8BITS',
    score: 1,
    source: 'SUBJ_ILLEGAL_CHARS / HEADER_8BITS: raw 8-bit text in headers with no charset',
    test: (m) => m.warnings.includes('undeclared_charset'),
  },
  {
    name: 'UNDISC_RECIPS',
    score: 1,
    source: 'UNDISC_RECIPS, MISSING_HEADERS: no visible recipient',
    test: (m) => (m.to.length === 0 && m.cc.length === 0) || /undisclosed|recipient\s*list\s*suppressed/i.test(header(m, 'to') ?? ''),
  },
  {
    name: 'RCPT_NOT_IN_TO_CC',
    score: 2,
    source:
      'MISSING_HEADERS / "recipient not in To or Cc": delivered to a mailbox (Delivered-To) that the visible recipients do not name, and no mailing list explains it — a blind bulk copy',
    test: (m) => {
      const listy = m.headers.some((h) => LIST_HEADERS.has(h.name)) || /^(bulk|list)$/i.test(header(m, 'precedence')?.trim() ?? '');
      const delivered = m.headers
        .filter((h) => h.name === 'delivered-to' || h.name === 'x-original-to')
        .map((h) => h.value.replace(/^<|>$/g, '').trim());
      if (listy || !delivered.length) return false;
      return !delivered.some((d) => [...m.to, ...m.cc].some((a) => sameDomain(a.address, d)));
    },
  },
  {
    name: 'MISSING_MID',
    score: 0.5,
    source: 'MISSING_MID',
    test: (m) => m.messageId === null,
  },
  {
    name: 'MISSING_DATE',
    score: 1,
    source: 'MISSING_DATE / INVALID_DATE',
    test: (m) => m.warnings.includes('missing_date') || m.warnings.includes('invalid_date'),
  },
  {
    name: 'X_PRIORITY_HIGH',
    score: 0.5,
    source: 'X_PRIORITY_HIGH / X_MSMAIL_PRIORITY_HIGH',
    test: (m) => /^\s*1\b/.test(header(m, 'x-priority') ?? '') || /high/i.test(header(m, 'x-msmail-priority') ?? ''),
  },
  {
    name: 'FROM_LOCAL_NOVOWEL_OR_DIGITS',
    score: 0.8,
    source: 'FROM_LOCAL_DIGITS, FROM_LOCAL_HEX, FROM_LOCAL_NOVOWEL: machine-made sender names',
    test: (m) => {
      const local = m.from?.address.split('@')[0] ?? '';
      return /\d{4,}/.test(local) || /^[0-9a-f]{11,}$/i.test(local) || /[b-df-hj-np-tv-z]{7,}/i.test(local);
    },
  },
  {
    name: 'REPLYTO_ELSEWHERE',
    score: 0.8,
    source: 'FREEMAIL_FORGED_REPLYTO / REPLYTO_WITHOUT_TO_CC: replies go to another domain (and no list explains it)',
    test: (m) =>
      !!m.from &&
      m.replyTo.length > 0 &&
      !has(m, 'list-id') &&
      !has(m, 'list-post') &&
      m.replyTo.every((r) => domainOf(r.address) !== domainOf(m.from!.address)),
  },
  {
    name: 'REPLY_IN_THREAD',
    score: -1,
    source: 'The opposite of SpamAssassin\'s "no In-Reply-To in a RE: subject": a reply carrying its thread headers',
    test: (m) => m.inReplyTo !== null || m.references.length > 0,
  },
];
