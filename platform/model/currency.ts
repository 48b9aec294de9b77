// Money as people type it, and what ISO 4217 says about a currency code. The codes and their
// minor units (JPY 0, USD 2, KWD 3) come from the ICU data Node ships (Intl), which follows the
// standard's updates with Node's releases: not a hand-kept list.

const KNOWN = new Set(Intl.supportedValuesOf('currency'));

/** Whether a code is an ISO 4217 currency code. */
export const isCurrencyCode = (code: string): boolean => KNOWN.has(code);

const digits = new Map<string, number>();

/** How many fraction digits an amount in this currency has at most (its minor unit). */
export function fractionDigitsOf(code: string): number {
  let n = digits.get(code);
  if (n === undefined) {
    n = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digits.set(code, n);
  }
  return n;
}

/** The currency a leading sign stands for (after NFKC, ￥ is ¥); 円 after the amount is JPY too. */
export const SIGN_CURRENCIES: Record<string, string> = { '¥': 'JPY', $: 'USD', '€': 'EUR', '£': 'GBP' };

/**
 * An amount as typed — "12,000", "¥12,000", "12,000円", "USD 1,234.50", "１２，０００", "▲500"
 * (a negative in Japanese accounts) — as a decimal string with the currency it names, if it
 * names one. Undefined when the text is not an amount. Digits are kept as text: no rounding
 * through a float.
 */
export function parseMoney(text: string): { amount: string; currency?: string } | undefined {
  let s = text.normalize('NFKC').trim().replace(/\s+/g, ' ');
  let currency: string | undefined;
  const code = /(?:^|\s)([A-Z]{3})(?:\s|$)|^([A-Z]{3})(?=[\d-])|(?<=\d)([A-Z]{3})$/.exec(s);
  if (code) {
    currency = code[1] ?? code[2] ?? code[3];
    s = s.replace(currency, '').trim();
  }
  s = s.replace(/^[▲△]/, '-').replace('−', '-');
  const sign = /^(-?)([¥$€£])/.exec(s);
  if (sign) {
    if (currency && currency !== SIGN_CURRENCIES[sign[2]]) return undefined;
    currency = SIGN_CURRENCIES[sign[2]];
    s = sign[1] + s.slice(sign[0].length);
  }
  if (/円$/.test(s)) {
    if (currency && currency !== 'JPY') return undefined;
    currency = 'JPY';
    s = s.slice(0, -1);
  }
  s = s.replace(/\s/g, '');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replaceAll(',', '');
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return undefined;
  const amount = s
    .replace(/^\+/, '')
    .replace(/^(-?)\./, '$10.')
    .replace(/\.$/, '');
  return { amount, ...(currency && { currency }) };
}

/**
 * Why an amount does not fit its currency, or undefined: an unknown code (keyword
 * `currency_code`), more fraction digits than the currency has (`currency_digits`).
 */
export function moneyProblem(amount: string, currency: string): { message: string; keyword: string } | undefined {
  if (!isCurrencyCode(currency))
    return { message: `"${currency}" is not an ISO 4217 currency code (such as JPY, USD, EUR)`, keyword: 'currency_code' };
  const fraction = /\.(\d*?)0*$/.exec(amount)?.[1] ?? '';
  const most = fractionDigitsOf(currency);
  if (fraction.length <= most) return undefined;
  return {
    message: most === 0 ? `${currency} amounts have no fraction digits` : `${currency} amounts have at most ${most} fraction digits`,
    keyword: 'currency_digits',
  };
}
