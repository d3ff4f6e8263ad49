// Formatting. Amounts arrive as exact decimal strings keyed by currency;
// they are parsed into BigInt nanos (1e-9 of a unit) when arithmetic is
// needed (a share, a forecast, an "other" series), never into floats, and
// amounts of different currencies are never added.

const NANOS = 1_000_000_000n;

// nanos parses an exact decimal string ("12", "0.004125") into BigInt nanos.
export function nanos(s) {
  if (s === undefined || s === null || s === '') return 0n;
  let neg = false;
  if (s[0] === '-') { neg = true; s = s.slice(1); }
  const [i, f = ''] = s.split('.');
  const v = BigInt(i || '0') * NANOS + BigInt((f + '000000000').slice(0, 9));
  return neg ? -v : v;
}

// decimal formats BigInt nanos as an exact decimal string without
// trailing zeros, as the API does.
export function decimal(n) {
  const neg = n < 0n;
  if (neg) n = -n;
  const i = n / NANOS;
  let f = (n % NANOS).toString().padStart(9, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + i.toString() + (f ? '.' + f : '');
}

// group puts thousands separators into a string of digits.
function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// places is how many decimals an amount is shown with: cents from a unit
// up, more below (a call often costs a fraction of a cent).
export function places(n) {
  const a = n < 0n ? -n : n;
  if (a === 0n) return 2;
  if (a >= NANOS) return 2;
  if (a >= NANOS / 100n) return 4;
  return 6;
}

// round rounds BigInt nanos to d decimals, half away from zero, and
// returns the digits as a string with its decimal point. When rounding
// carries into the next size (0.9999999 to 1.000000), the fewer places
// of that size are used.
function round(n, d) {
  const neg = n < 0n;
  if (neg) n = -n;
  const unit = 10n ** BigInt(9 - d);
  let q = n / unit;
  if ((n % unit) * 2n >= unit) q += 1n;
  const d2 = places(q * unit);
  if (d2 < d) return (neg ? '-' : '') + round(q * unit, d2);
  const s = q.toString().padStart(d + 1, '0');
  const i = s.slice(0, s.length - d), f = s.slice(s.length - d);
  return (neg ? '-' : '') + group(i) + (d ? '.' + f : '');
}

const symbols = { USD: '$', EUR: '€', GBP: '£' };

// money formats one amount of one currency: "$1,234.50", "$0.000360",
// "12.50 CHF".
export function money(s, cur) {
  const n = nanos(s);
  const num = round(n, places(n));
  const sym = symbols[cur];
  if (sym) return num.startsWith('-') ? '-' + sym + num.slice(1) : sym + num;
  return cur ? num + ' ' + cur : num;
}

// currencies lists a money map's currencies, USD first, then by code.
export function currencies(m) {
  return Object.keys(m || {}).sort((a, b) => (a === 'USD' ? -1 : b === 'USD' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

// moneyValue is the exact value of a money map, for data-value: the
// API's strings, "USD=1.5 EUR=2", in currencies() order.
export function moneyValue(m) {
  return currencies(m).map((c) => c + '=' + m[c]).join(' ');
}

// int formats a whole number with thousands separators.
export function int(n) {
  if (n === undefined || n === null) return '';
  const s = BigInt(n).toString();
  return s.startsWith('-') ? '-' + group(s.slice(1)) : group(s);
}

// compact formats a count for axes: 1.2k, 3.4M.
export function compact(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'B';
  if (a >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
  if (a >= 1e3) return (n / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
  return String(Math.round(n * 100) / 100);
}

// pct formats a ratio (0..1) as a percentage with one decimal.
export function pct(r) {
  if (r === undefined || r === null || Number.isNaN(r)) return '–';
  return (r * 100).toFixed(1) + '%';
}

// ms formats a duration in milliseconds.
export function ms(v) {
  if (v === undefined || v === null) return '–';
  if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
  return Math.round(v) + ' ms';
}

// seconds formats an interval bucket bound.
export function seconds(s) {
  if (s === null || s === undefined) return 'longer';
  if (s < 60) return s + ' s';
  if (s < 3600) return (s / 60) + ' min';
  if (s < 86400) return (s / 3600) + ' h';
  return (s / 86400) + ' d';
}

// tokensTotal adds a token map's meters that make up the call (the
// subsets, reasoning and modalities, are inside their parents).
export const TOP_METERS = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output'];
export function tokensTotal(t) {
  let s = 0n;
  for (const m of TOP_METERS) s += BigInt((t && t[m]) || 0);
  return s;
}

// time formats an RFC 3339 instant in UTC: "2026-11-22 14:03:07".
export function time(s) {
  if (!s) return '';
  return s.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '');
}

export function day(d) {
  return d.toISOString().slice(0, 10);
}

export const METER_LABELS = {
  input: 'Input', cache_read: 'Cache read', cache_write_5m: 'Cache write 5m', cache_write_1h: 'Cache write 1h',
  output: 'Output', reasoning: 'Reasoning', input_audio: 'Input audio', cache_read_audio: 'Cache read audio',
  output_audio: 'Output audio', input_image: 'Input image', cache_read_image: 'Cache read image',
  output_image: 'Output image', input_video: 'Input video', output_video: 'Output video', web_search: 'Web searches',
  request: 'Requests',
};
