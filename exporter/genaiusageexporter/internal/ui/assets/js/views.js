// The views: overview, breakdown, records, a record's detail, activity
// and cache. Each reads the API and returns its element; app.js mounts it.

import { APIError, fetchAuthed, get, query } from './api.js';
import { bars, heatmap, stackedBars } from './charts.js';
import { BY, DIMS, label } from './consts.js';
import { amounts, card, empty, h, select } from './dom.js';
import * as f from './fmt.js';

const DAY = 86400000;
const utcDay = (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const iso = (d) => d.toISOString().replace('.000Z', 'Z');

function page(title, testid, ...children) {
  const el = h('div', { class: 'page', 'data-page': testid }, h('h1', {}, title), ...children);
  el.dataset.title = title;
  el.afterMount = [];
  return el;
}

// wrap makes a table scroll sideways on a narrow screen, in a region the
// keyboard can reach.
function wrap(table) {
  const label = table.querySelector('caption')?.textContent || table.dataset.testid || 'table';
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

function rangeText(data) {
  return `${f.time(data.from)} – ${f.time(data.to)} UTC`;
}

// mainCurrency picks the currency a chart or share is drawn in: the one
// asked for, else USD, else the first.
function mainCurrency(m, want) {
  const cs = f.currencies(m);
  if (want && cs.includes(want)) return want;
  return cs[0];
}

// ---------------------------------------------------------------- overview

export async function overview(ctx) {
  const now = new Date();
  const today = utcDay(now);
  const tomorrow = new Date(today.getTime() + DAY);
  const week = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
  const weekEnd = new Date(week.getTime() + 7 * DAY);
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const metric = ctx.q.get('metric') === 'tokens' ? 'tokens' : 'cost';
  const by = ctx.q.has('by') ? ctx.q.get('by') : 'provider';
  const o = { signal: ctx.signal };
  const summary = await get('usage/summary', ctx.filters, o);
  const span = new Date(summary.to) - new Date(summary.from);
  let grain = ctx.q.get('grain') || (span <= 2 * DAY ? 'hour' : 'day');
  if (span > 31 * DAY) grain = 'day';
  const [tday, tweek, tmonth, series, budgets] = await Promise.all([
    get('usage/summary', { ...ctx.dims, from: iso(today), to: iso(tomorrow) }, o),
    get('usage/summary', { ...ctx.dims, from: iso(week), to: iso(weekEnd) }, o),
    get('usage/summary', { ...ctx.dims, from: iso(month), to: iso(monthEnd) }, o),
    get('usage/timeseries', { ...ctx.filters, grain, by: by || undefined }, o),
    get('budgets', {}, o).catch((e) => (e instanceof APIError && e.status !== 503 ? { error: e } : Promise.reject(e))),
  ]);
  const el = page('Overview', 'overview', h('p', { class: 'range-text' }, rangeText(summary)));

  const forecast = (s, start, end) => {
    const elapsed = BigInt(now.getTime() - start.getTime());
    const whole = BigInt(end.getTime() - start.getTime());
    const out = {};
    for (const c of f.currencies(s.cost)) out[c] = f.decimal((f.nanos(s.cost[c]) * whole) / (elapsed > 0n ? elapsed : 1n));
    return out;
  };
  const periodCard = (title, s, testid, start, end) => {
    const sub = [h('span', {}, `${f.int(s.calls)} calls`)];
    if (start) {
      const fc = forecast(s, start, end);
      sub.push(h('span', { class: 'forecast' }, 'forecast ', amounts(fc, 0, { 'data-testid': testid + '-forecast' })));
    }
    return card(title, amounts(s.cost, s.unpriced_calls, { 'data-testid': testid }), sub, testid + '-card');
  };
  const saved = summary.cache_saved || {};
  el.append(h('div', { class: 'cards' },
    periodCard('Cost today', tday, 'cost-today'),
    periodCard('This week', tweek, 'cost-week', week, weekEnd),
    periodCard('This month', tmonth, 'cost-month', month, monthEnd),
  ));
  el.append(h('h2', {}, 'Selected range'));
  el.append(h('div', { class: 'cards' },
    card('Cost', amounts(summary.cost, summary.unpriced_calls, { 'data-testid': 'range-cost' }),
      summary.estimated_calls ? h('span', {}, 'estimated ', h('span', { 'data-testid': 'estimated-calls', 'data-value': summary.estimated_calls }, f.int(summary.estimated_calls)),
        ' calls: ', amounts(summary.estimated_cost, 0, { 'data-testid': 'estimated-cost' })) : null, 'range-cost-card'),
    card('Calls', h('span', { 'data-testid': 'calls', 'data-value': summary.calls }, f.int(summary.calls)),
      h('span', {}, 'errors ', h('span', { 'data-testid': 'errors', 'data-value': summary.errors }, f.int(summary.errors))), 'calls-card'),
    card('Error rate', h('span', { 'data-testid': 'error-rate', 'data-value': summary.error_rate }, f.pct(summary.error_rate)), null, 'error-rate-card'),
    card('Cache hit ratio', h('span', { 'data-testid': 'cache-hit', 'data-value': summary.cache_hit_ratio }, f.pct(summary.cache_hit_ratio)),
      h('span', {}, 'saved ', amounts(saved, 0, { 'data-testid': 'cache-saved' })), 'cache-card'),
    card('Unpriced calls', h('span', { 'data-testid': 'unpriced', 'data-value': summary.unpriced_calls }, f.int(summary.unpriced_calls)),
      summary.unpriced_calls ? h('a', { href: ctx.href('/records', { status: 'unpriced' }) }, 'see them') : 'every call priced', 'unpriced-card'),
    card('Avg latency', h('span', { 'data-testid': 'latency', 'data-value': summary.avg_latency_ms }, f.ms(summary.avg_latency_ms)),
      summary.avg_ttft_ms !== undefined ? `TTFT ${f.ms(summary.avg_ttft_ms)}` : null, 'latency-card'),
  ));

  // The series: stacked by a key, in one currency or in tokens.
  const cur = mainCurrency(summary.cost, ctx.q.get('currency'));
  const controls = h('div', { class: 'controls' },
    select('Show', 'metric', [['cost', 'Cost'], ['tokens', 'Tokens']], metric, (v) => ctx.set({ metric: v })),
    select('Stacked by', 'by', [['', 'nothing'], ...BY.map((k) => [k, label(k)])], by, (v) => ctx.set({ by: v })),
    select('Per', 'grain', span > 31 * DAY ? [['day', 'day']] : [['hour', 'hour'], ['day', 'day']], grain, (v) => ctx.set({ grain: v })),
    metric === 'cost' && f.currencies(summary.cost).length > 1
      ? select('Currency', 'currency', f.currencies(summary.cost).map((c) => [c, c]), cur, (v) => ctx.set({ currency: v })) : null);
  const chart = h('div', { class: 'chart-box', 'data-testid': 'series-chart' });
  const table = seriesTable(series, metric, cur);
  el.append(h('section', { class: 'panel' }, h('h2', {}, metric === 'cost' ? `Cost over time${cur ? ' (' + cur + ')' : ''}` : 'Tokens over time'), controls,
    series.points.length ? chart : empty('No calls in this range', 'Widen the time range or remove a filter.'),
    h('details', { class: 'as-table' }, h('summary', {}, 'Show the data as a table'), table)));
  const draw = () => drawSeries(chart, series, metric, cur, grain);
  if (series.points.length) el.afterMount.push(draw, () => document.addEventListener('redraw', draw));

  el.append(budgetPanel(budgets));
  return el;
}

function pointValue(p, metric, cur) {
  if (metric === 'tokens') return f.tokensTotal(p.tokens);
  return f.nanos((p.cost || {})[cur]);
}

function seriesTable(series, metric, cur) {
  const rows = series.points.map((p) => h('tr', {},
    h('td', {}, f.time(p.t)), series.by ? h('td', {}, p.key === '' ? '(none)' : p.key) : null,
    h('td', { class: 'num', 'data-value': metric === 'tokens' ? String(f.tokensTotal(p.tokens)) : moneyOf(p.cost, cur) },
      metric === 'tokens' ? f.int(f.tokensTotal(p.tokens)) : (p.cost && p.cost[cur] ? f.money(p.cost[cur], cur) : '—')),
    h('td', { class: 'num' }, f.int(p.calls))));
  return h('table', { class: 'data', 'data-testid': 'series-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time (UTC)'), series.by ? h('th', { scope: 'col' }, label(series.by)) : null,
      h('th', { scope: 'col', class: 'num' }, metric === 'tokens' ? 'Tokens' : 'Cost'), h('th', { scope: 'col', class: 'num' }, 'Calls'))),
    h('tbody', {}, rows));
}

const moneyOf = (m, cur) => (m && m[cur] !== undefined ? m[cur] : '');

function drawSeries(el, series, metric, cur, grain) {
  // Every bucket of the range, empty ones included.
  const step = grain === 'hour' ? 3600000 : DAY;
  const from = new Date(series.from).getTime(), to = new Date(series.to).getTime();
  const start = Math.floor(from / step) * step;
  const totals = new Map();
  const byBucket = new Map();
  for (const p of series.points) {
    const k = series.by ? p.key : 'all';
    const v = pointValue(p, metric, cur);
    totals.set(k, (totals.get(k) || 0n) + v);
    const t = new Date(p.t).getTime();
    if (!byBucket.has(t)) byBucket.set(t, new Map());
    const m = byBucket.get(t);
    m.set(k, (m.get(k) || 0n) + v);
  }
  // The top 8 keys by total; the rest is one "other" series, added
  // exactly (BigInt) before it becomes a bar's height.
  const ranked = [...totals.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).map(([k]) => k);
  const top = ranked.slice(0, 8);
  const keys = [...top];
  if (ranked.length > 8) keys.push('\u0000other');
  const names = Object.fromEntries(keys.map((k) => [k, k === '\u0000other' ? 'other' : k === '' ? '(none)' : series.by ? k : metric === 'tokens' ? 'tokens' : 'cost']));
  const buckets = [];
  for (let t = start; t < to; t += step) {
    const m = byBucket.get(t) || new Map();
    const exact = {};
    for (const [k, v] of m) {
      const key = top.includes(k) ? k : '\u0000other';
      exact[key] = (exact[key] || 0n) + v;
    }
    // Heights are floats; the tooltips are the exact sums.
    const values = {}, texts = {};
    for (const [k, v] of Object.entries(exact)) {
      values[k] = metric === 'tokens' ? Number(v) : Number(v) / 1e9;
      texts[k] = metric === 'tokens' ? f.int(v) + ' tokens' : f.money(f.decimal(v), cur);
    }
    const d = new Date(t);
    const lbl = grain === 'hour' ? d.toISOString().slice(11, 13) + 'h' : d.toISOString().slice(5, 10);
    buckets.push({ label: lbl, texts, tip: grain === 'hour' ? d.toISOString().slice(0, 13).replace('T', ' ') + ':00' : d.toISOString().slice(0, 10), values, exact });
  }
  const fmt = (v, axis) => (metric === 'tokens' ? f.compact(v) : axis ? (cur === 'USD' ? '$' : '') + f.compact(v) : f.money(String(v), cur));
  stackedBars(el, { buckets, keys, names, fmt, label: metric === 'cost' ? `Cost per ${grain} in ${cur}` : `Tokens per ${grain}` });
}

function budgetPanel(budgets) {
  const panel = h('section', { class: 'panel', 'data-testid': 'budgets' }, h('h2', {}, 'Budgets'));
  if (budgets.error) {
    panel.append(h('p', { class: 'error' }, budgets.error.message));
    return panel;
  }
  if (!budgets.budgets.length) {
    panel.append(empty('No budgets', 'Budgets come from the exporter\'s budgets: or are created through the API (docs/budgets.md).'));
    return panel;
  }
  const rows = [];
  for (const b of budgets.budgets) {
    const spends = b.values ? b.values.map((v) => ({ ...v, name: `${b.budget.id} · ${b.budget.scope?.each}=${v.value}` })) : [{ ...b, name: b.budget.id }];
    for (const s of spends) {
      const ratio = Math.min(Number(s.ratio) || 0, 1);
      const bar = h('div', { class: 'meter' + (s.exhausted ? ' over' : ratio >= 0.8 ? ' warn' : '') }, h('div', { class: 'meter-fill' }));
      bar.firstChild.style.width = (ratio * 100).toFixed(1) + '%';
      const fc = (s.forecasts || []).find((x) => x.method === 'period_run_rate');
      rows.push(h('tr', { 'data-budget': b.budget.id },
        h('th', { scope: 'row' }, s.name, b.origin === 'store' ? h('span', { class: 'tag' }, 'API') : null),
        h('td', { class: 'num', 'data-value': s.spent }, f.money(s.spent, b.budget.currency)),
        h('td', { class: 'num', 'data-value': b.budget.limit }, f.money(b.budget.limit, b.budget.currency)),
        h('td', {}, bar, h('span', { class: 'sub' }, (Number(s.ratio) * 100).toFixed(1) + '%')),
        h('td', { class: 'num' }, fc ? f.money(fc.projected, b.budget.currency) : '—', fc && fc.crossing ? h('div', { class: 'sub warn-text' }, 'limit at ' + f.time(fc.crossing)) : null),
        h('td', {}, s.exhausted ? h('span', { class: 'badge bad' }, 'exhausted') : h('span', { class: 'badge ok' }, 'within'),
          s.unpriced_calls ? h('div', { class: 'sub' }, `+ ${f.int(s.unpriced_calls)} unpriced`) : null),
        h('td', { class: 'sub' }, `${f.time(b.window.start)} – ${f.time(b.window.end)}`)));
    }
  }
  panel.append(wrap(h('table', { class: 'data', 'data-testid': 'budgets-table' },
    h('thead', {}, h('tr', {}, ['Budget', 'Spent', 'Limit', 'Used', 'Forecast', 'Status', 'Window (UTC)'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows))));
  return panel;
}

// ---------------------------------------------------------------- breakdown

const SORTS = {
  key: (g) => g.key, calls: (g) => BigInt(g.calls), tokens: (g) => f.tokensTotal(g.tokens),
  input: (g) => BigInt(g.tokens.input || 0), cache_read: (g) => BigInt(g.tokens.cache_read || 0),
  cache_write: (g) => BigInt((g.tokens.cache_write_5m || 0) + (g.tokens.cache_write_1h || 0)),
  output: (g) => BigInt(g.tokens.output || 0), reasoning: (g) => BigInt(g.tokens.reasoning || 0),
  error_rate: (g) => g.error_rate, latency: (g) => g.avg_latency_ms, ttft: (g) => g.avg_ttft_ms ?? -1,
};

export async function breakdown(ctx) {
  const by = BY.includes(ctx.q.get('by')) ? ctx.q.get('by') : 'model';
  const limit = ctx.q.get('limit') || '20';
  const data = await get('usage/breakdown', { ...ctx.filters, by, limit }, { signal: ctx.signal });
  const el = page('Breakdown', 'breakdown', h('p', { class: 'range-text' }, rangeText(data)));
  const total = {};
  for (const g of data.groups) for (const c of f.currencies(g.cost)) total[c] = (total[c] || 0n) + f.nanos(g.cost[c]);
  const cur = mainCurrency(Object.fromEntries(Object.entries(total).map(([c, v]) => [c, f.decimal(v)])), ctx.q.get('currency'));
  const sortKey = ctx.q.get('sort') || 'cost';
  const dir = ctx.q.get('dir') === 'asc' ? 'asc' : 'desc';
  const value = sortKey === 'cost' ? (g) => f.nanos((g.cost || {})[cur]) : SORTS[sortKey] || SORTS.calls;
  const groups = [...data.groups].sort((a, b) => {
    if (a.other !== b.other) return a.other ? 1 : -1; // "other" stays last
    const x = value(a), y = value(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return dir === 'asc' ? c : -c;
  });
  el.append(h('div', { class: 'controls' },
    select('By', 'by', BY.map((k) => [k, label(k)]), by, (v) => ctx.set({ by: v })),
    select('Top', 'limit', ['10', '20', '50', '100', '500'].map((n) => [n, n]), limit, (v) => ctx.set({ limit: v })),
    f.currencies(total).length > 1 ? select('Share in', 'currency', f.currencies(total).map((c) => [c, c]), cur, (v) => ctx.set({ currency: v })) : null));
  if (!data.groups.length) {
    el.append(empty('No calls in this range', 'Widen the time range or remove a filter.'));
    return el;
  }
  const head = (key, text, num = true) => {
    const active = sortKey === key;
    const next = active && dir === 'desc' ? 'asc' : 'desc';
    return h('th', { scope: 'col', class: num ? 'num' : '', 'aria-sort': active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', 'data-sort': key, onclick: () => ctx.set({ sort: key, dir: next }, true) }, text, h('span', { 'aria-hidden': 'true', class: 'arrow' }, active ? (dir === 'asc' ? ' ▲' : ' ▼') : '')));
  };
  const share = (g) => {
    const t = total[cur];
    if (!t) return '—';
    const v = f.nanos((g.cost || {})[cur]);
    return (Number((v * 10000n) / t) / 100).toFixed(1) + '%';
  };
  const rows = groups.map((g) => {
    const filterable = !g.other && (g.key !== '' || DIMS.includes(by));
    const keyText = g.other ? `other (${f.int(g.values)} values)` : g.key === '' ? '(none)' : g.key;
    return h('tr', { 'data-key': g.other ? '' : g.key, 'data-other': g.other ? 'true' : null },
      h('th', { scope: 'row' }, filterable ? h('a', { href: ctx.href('/records', { [by]: g.key }), class: 'drill', title: `The records of ${label(by)} ${keyText}` }, keyText) : keyText),
      h('td', { class: 'num', 'data-col': 'calls', 'data-value': g.calls }, f.int(g.calls)),
      h('td', { class: 'num', 'data-col': 'input', 'data-value': g.tokens.input || 0 }, f.int(g.tokens.input || 0)),
      h('td', { class: 'num', 'data-col': 'cache_read', 'data-value': g.tokens.cache_read || 0 }, f.int(g.tokens.cache_read || 0)),
      h('td', { class: 'num', 'data-col': 'cache_write' }, f.int((g.tokens.cache_write_5m || 0) + (g.tokens.cache_write_1h || 0))),
      h('td', { class: 'num', 'data-col': 'output', 'data-value': g.tokens.output || 0 }, f.int(g.tokens.output || 0)),
      h('td', { class: 'num', 'data-col': 'reasoning' }, f.int(g.tokens.reasoning || 0)),
      h('td', { class: 'num', 'data-col': 'cost' }, amounts(g.cost, g.unpriced_calls)),
      h('td', { class: 'num', 'data-col': 'share' }, share(g)),
      h('td', { class: 'num', 'data-col': 'error_rate', 'data-value': g.error_rate }, f.pct(g.error_rate)),
      h('td', { class: 'num', 'data-col': 'latency' }, f.ms(g.avg_latency_ms)),
      h('td', { class: 'num', 'data-col': 'ttft' }, g.avg_ttft_ms !== undefined ? f.ms(g.avg_ttft_ms) : '—'));
  });
  el.append(wrap(h('table', { class: 'data', 'data-testid': 'breakdown-table' },
    h('caption', { class: 'sr-only' }, `Top ${limit} by ${label(by)}; select a header to sort, a value for its records`),
    h('thead', {}, h('tr', {}, head('key', label(by), false), head('calls', 'Calls'), head('input', 'Input'), head('cache_read', 'Cache read'),
      head('cache_write', 'Cache write'), head('output', 'Output'), head('reasoning', 'Reasoning'), head('cost', 'Cost'), head('cost', 'Share'),
      head('error_rate', 'Errors'), head('latency', 'Avg latency'), head('ttft', 'Avg TTFT'))),
    h('tbody', {}, rows))));
  return el;
}

// ---------------------------------------------------------------- records

const COLUMNS = {
  time: ['Time (UTC)', (r, ctx) => h('a', { href: ctx.href('/records/' + encodeURIComponent(r.id), {}, true), class: 'drill', 'aria-label': 'Details of the call at ' + f.time(r.start_time) }, f.time(r.start_time))],
  service: ['Service', (r) => r.service],
  environment: ['Environment', (r) => r.environment || ''],
  session_type: ['Session type', (r) => r.session_type || ''],
  user: ['User', (r) => r.user || ''],
  tenant: ['Tenant', (r) => r.tenant || ''],
  department: ['Department', (r) => r.department || ''],
  session: ['Session', (r) => r.session || ''],
  feature: ['Feature', (r) => r.feature || ''],
  api_key: ['API key', (r) => r.api_key || ''],
  model: ['Model', (r) => r.model],
  provider: ['Provider', (r) => r.provider],
  operation: ['Operation', (r) => r.operation || ''],
  input: ['Input', (r) => f.int(r.tokens.input || 0), true],
  cache_read: ['Cache read', (r) => f.int(r.tokens.cache_read || 0), true],
  cache_write: ['Cache write', (r) => f.int((r.tokens.cache_write_5m || 0) + (r.tokens.cache_write_1h || 0)), true],
  output: ['Output', (r) => f.int(r.tokens.output || 0), true],
  reasoning: ['Reasoning', (r) => f.int(r.tokens.reasoning || 0), true],
  cost: ['Cost', (r) => [r.currency ? h('span', { 'data-value': r.currency + '=' + r.cost }, f.money(r.cost, r.currency)) : h('span', { class: 'muted', 'data-value': '' }, 'not priced'),
    r.estimated ? [' ', h('span', { class: 'badge warn', title: 'usage estimated from the call\'s content: the span had none', 'data-testid': 'estimated-badge' }, 'est.')] : ''], true],
  list_cost: ['List cost', (r) => (r.currency && r.list_cost !== undefined ? f.money(r.list_cost, r.currency) : ''), true],
  service_tier: ['Service tier', (r) => r.service_tier || ''],
  status: ['Status', (r) => h('span', { class: 'badge ' + (r.status === 'priced' ? 'ok' : r.status === 'unpriced' || r.status === 'invalid' ? 'bad' : 'warn') }, r.status)],
  latency: ['Latency', (r) => f.ms(r.duration_ms), true],
  ttft: ['TTFT', (r) => (r.ttft_ms ? f.ms(r.ttft_ms) : ''), true],
};
const DEFAULT_COLS = ['time', 'service', 'session_type', 'user', 'model', 'provider', 'operation', 'input', 'cache_read', 'output', 'cost', 'status', 'latency'];

export async function records(ctx) {
  const limit = Number(ctx.q.get('limit')) || 50;
  const offset = Math.max(Number(ctx.q.get('offset')) || 0, 0);
  const q = ctx.q.get('q') || '';
  const cols = (ctx.q.get('cols') || DEFAULT_COLS.join(',')).split(',').filter((c) => COLUMNS[c]);
  const params = { ...ctx.filters, q: q || undefined };
  const data = await get('usage/records', { ...params, limit, offset }, { signal: ctx.signal });
  const el = page('Records', 'records', h('p', { class: 'range-text' }, rangeText(data)));

  const search = h('input', { type: 'search', id: 'q', name: 'q', value: q, placeholder: 'Search ids, users, models, errors…', 'aria-label': 'Search the records' });
  const searchForm = h('form', { class: 'search', role: 'search', onsubmit: (ev) => { ev.preventDefault(); ctx.set({ q: search.value.trim() || null, offset: null }); } },
    search, h('button', { type: 'submit' }, 'Search'));
  const colBox = h('details', { class: 'columns' }, h('summary', {}, 'Columns'),
    h('fieldset', {}, h('legend', { class: 'sr-only' }, 'Columns shown'), Object.entries(COLUMNS).map(([k, [t]]) => h('label', {},
      h('input', { type: 'checkbox', name: 'col', value: k, checked: cols.includes(k),
        onchange: (ev) => {
          const next = Object.keys(COLUMNS).filter((c) => (c === k ? ev.target.checked : cols.includes(c)));
          ctx.set({ cols: next.join(',') === DEFAULT_COLS.join(',') ? null : next.join(',') }, true);
        } }), ' ', t))));
  const exporter = (format) => h('button', { type: 'button', 'data-export': format, onclick: () => download(format, params) }, format.toUpperCase());
  el.append(h('div', { class: 'controls' }, searchForm, colBox,
    h('div', { class: 'export', role: 'group', 'aria-label': 'Export the records of this filter' }, h('span', {}, 'Export'), exporter('csv'), exporter('json'))));

  if (!data.records.length) {
    el.append(empty(data.total ? 'No records on this page' : 'No records match', 'Widen the time range, clear the search or remove a filter.'));
  } else {
    el.append(wrap(h('table', { class: 'data records', 'data-testid': 'records-table' },
      h('caption', { class: 'sr-only' }, 'Calls, newest first'),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: COLUMNS[c][2] ? 'num' : '', 'data-col': c }, COLUMNS[c][0])))),
      h('tbody', {}, data.records.map((r) => h('tr', { 'data-id': r.id }, cols.map((c) => h('td', { class: COLUMNS[c][2] ? 'num' : '', 'data-col': c }, COLUMNS[c][1](r, ctx)))))))));
  }
  const last = Math.max(0, Math.floor((data.total - 1) / limit) * limit);
  const nav = (text, off, disabled, rel) => h('a', { href: disabled ? null : ctx.href('/records', { offset: off || null }, true), class: 'button', 'aria-disabled': disabled ? 'true' : null, rel, 'data-page-nav': text.toLowerCase() }, text);
  el.append(h('nav', { class: 'pager', 'aria-label': 'Pages of records' },
    h('span', { 'data-testid': 'page-info', 'data-total': data.total, 'data-offset': offset },
      data.total ? `${f.int(offset + 1)}–${f.int(offset + data.records.length)} of ${f.int(data.total)}` : '0 records'),
    nav('First', 0, offset === 0), nav('Previous', Math.max(offset - limit, 0), offset === 0, 'prev'),
    nav('Next', offset + limit, offset + limit >= data.total, 'next'), nav('Last', last, offset >= last),
    select('Per page', 'limit', ['25', '50', '100', '200'].map((n) => [n, n]), String(limit), (v) => ctx.set({ limit: v, offset: null }))));
  return el;
}

// download fetches an export of exactly these filters (with the token,
// which a plain link cannot send) and saves it.
async function download(format, params) {
  const res = await fetchAuthed('/api/v1/usage/export' + query({ ...params, format }));
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
    alert('Export failed: ' + msg);
    return;
  }
  const cd = res.headers.get('Content-Disposition') || '';
  const name = (cd.match(/filename="([^"]+)"/) || [])[1] || 'genai-usage.' + format;
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------- detail

let uiSettings = null;

export async function detail(ctx) {
  const o = { signal: ctx.signal };
  const id = encodeURIComponent(ctx.id);
  const [r, pricing, settings] = await Promise.all([
    get('usage/records/' + id, {}, o), get('usage/records/' + id + '/pricing', {}, o),
    uiSettings ? Promise.resolve(uiSettings) : get('usage/ui', {}, o)]);
  uiSettings = settings;
  const el = page('Call ' + f.time(r.start_time), 'detail',
    h('p', {}, h('a', { href: ctx.href('/records', {}, true), 'data-testid': 'back' }, '← Back to the records')));
  const dl = (rows) => h('dl', { class: 'fields' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v, key]) =>
    [h('dt', {}, k), h('dd', { 'data-field': key }, v)]));
  const trace = settings.trace_url_template
    ? h('a', { href: settings.trace_url_template.replaceAll('{trace_id}', r.trace_id), target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'trace-link' }, r.trace_id)
    : r.trace_id;
  el.append(h('div', { class: 'grid2' },
    h('section', { class: 'panel' }, h('h2', {}, 'Call'), dl([
      ['Id', h('code', {}, r.id), 'id'], ['Start (UTC)', r.start_time, 'start_time'], ['Trace', trace, 'trace_id'], ['Span', r.span_id, 'span_id'],
      ['Duration', f.ms(r.duration_ms), 'duration_ms'], ['Time to first token', r.ttft_ms ? f.ms(r.ttft_ms) : '', 'ttft_ms'],
      ['Streaming', r.streaming ? 'yes' : 'no', 'streaming'], ['Status', r.status, 'status'], ['Reason', r.reason, 'reason'],
      ['Error type', r.error_type, 'error_type'], ['Response id', r.response_id, 'response_id']])),
    h('section', { class: 'panel' }, h('h2', {}, 'Model and attribution'), dl([
      ['Provider', r.provider, 'provider'], ['Model', r.model, 'model'], ['Request model', r.request_model, 'request_model'],
      ['Response model', r.response_model, 'response_model'], ['Operation', r.operation, 'operation'], ['Raw operation', r.raw_operation, 'raw_operation'],
      ['Service', r.service, 'service'], ['Environment', r.environment, 'environment'],
      ...DIMS.map((d) => [label(d), r[d], d])]))));

  // How the amount was computed.
  const cost = h('section', { class: 'panel', 'data-testid': 'computation' }, h('h2', {}, 'How the amount was computed'));
  cost.append(dl([
    ['Cost', r.currency ? h('span', { 'data-value': r.currency + '=' + r.cost }, f.money(r.cost, r.currency)) : h('span', { class: 'muted' }, 'not priced'), 'cost'],
    ['Source', r.cost_source, 'cost_source'], ['Estimated', r.estimated ? 'yes' : '', 'estimated'],
    ['List cost', r.list_cost !== undefined && r.currency ? h('span', { 'data-value': r.currency + '=' + r.list_cost }, f.money(r.list_cost, r.currency)) : '', 'list_cost'],
    ['Service tier', r.service_tier, 'service_tier'],
    ['Price card', r.price_card ? h('code', {}, r.price_card) : '', 'price_card'],
    ['Reported by the emitter', r.reported_cost !== undefined ? h('span', { 'data-value': (r.reported_currency || '') + '=' + r.reported_cost }, f.money(r.reported_cost, r.reported_currency || '')) : '', 'reported_cost'],
    ['Saved by caching', r.cache_saved ? f.money(r.cache_saved, r.currency) : '', 'cache_saved']]));
  if (pricing.card_found) {
    const c = pricing.card;
    const rate = (x) => (x ? `${f.money(x.price, c.currency)} per ${x.per === 1000000 ? 'million' : x.per === 1000 ? 'thousand' : f.int(x.per)}` : '');
    cost.append(h('p', {}, pricing.tier_above ? `Long-context tier applied: the prompt is above ${f.int(pricing.tier_above)} tokens, so every token is billed at the tier's rates.` : 'Base rates applied (no long-context tier).'));
    cost.append(wrap(h('table', { class: 'data', 'data-testid': 'pricing-lines' },
      h('thead', {}, h('tr', {}, ['Meter', 'Tokens', 'Rate', 'Rated as', 'Amount'].map((t, i) => h('th', { scope: 'col', class: i === 1 || i === 4 ? 'num' : '' }, t)))),
      h('tbody', {}, pricing.lines.map((l) => h('tr', { 'data-meter': l.meter },
        h('th', { scope: 'row' }, f.METER_LABELS[l.meter] || l.meter),
        h('td', { class: 'num', 'data-value': l.tokens }, f.int(l.tokens)),
        h('td', {}, l.unpriced ? h('span', { class: 'badge bad' }, 'no rate: not billed') : rate(l.rate)),
        h('td', {}, l.rated_as === l.meter ? l.rate_key : `${l.rate_key} (fallback)`),
        h('td', { class: 'num', 'data-value': l.amount }, f.money(l.amount, c.currency))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: '4' }, 'Computed total'),
        h('td', { class: 'num', 'data-testid': 'computed', 'data-value': pricing.computed }, f.money(pricing.computed, c.currency)))))));
    cost.append(h('p', { class: pricing.matches ? 'ok-text' : 'warn-text', 'data-testid': 'matches' },
      pricing.matches ? 'The computed total equals the stored list cost.' : `The stored cost (${r.currency ? f.money(r.cost, r.currency) : 'none'}) differs from this card's total: the record was priced elsewhere or by another rule (source: ${r.cost_source || 'none'}).`));
    const rates = (m) => Object.entries(m).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'num' }, rate(v))));
    cost.append(h('details', {}, h('summary', {}, `The card's rates (${c.currency}${c.from ? ', from ' + f.time(c.from) : ''}${c.window ? ', window ' + c.window + ' UTC' : ''})`),
      h('table', { class: 'data' }, h('caption', {}, 'Base'), h('tbody', {}, rates(c.base))),
      c.tiers.map((t) => h('table', { class: 'data' }, h('caption', {}, `Above ${f.int(t.above)} prompt tokens`), h('tbody', {}, rates(t.rates))))));
  } else if (r.price_card) {
    cost.append(h('p', { class: 'muted' }, 'This collector does not know the card (priced by another collector with other catalogs); the stored amounts per meter are:'));
  }
  if (r.cost_by_meter && !pricing.card_found) {
    cost.append(h('table', { class: 'data' }, h('tbody', {}, Object.entries(r.cost_by_meter).map(([m, v]) => h('tr', {}, h('th', { scope: 'row' }, f.METER_LABELS[m] || m), h('td', { class: 'num' }, f.money(v, r.currency)))))));
  }
  // From the list price to what is paid: the contract, the conversion.
  if (pricing.contract || pricing.conversion) {
    const steps = [h('li', {}, 'List price: ', h('span', { 'data-value': r.list_cost }, f.money(r.list_cost, r.currency)))];
    const before = pricing.conversion ? pricing.conversion.source_currency : r.currency;
    if (pricing.contract) {
      steps.push(h('li', { 'data-testid': 'contract' }, 'Contract term ', h('code', {}, pricing.contract.id),
        pricing.contract.multiplier ? ` (× ${pricing.contract.multiplier}, each meter rounded half to even)` : ' (its own rates per meter)'));
    }
    if (pricing.conversion) {
      const c = pricing.conversion;
      steps.push(h('li', { 'data-testid': 'conversion' }, `Before conversion: ${f.money(c.source_cost, before)}; converted at `,
        c.legs.map((l, i) => [i ? ' then ' : '', h('code', {}, `1 ${l.base} = ${l.rate} ${l.quote}`), ` of ${f.time(l.date)}${l.inverted ? ' (divided)' : ''}`])));
    }
    steps.push(h('li', {}, 'Cost: ', h('span', { 'data-value': r.cost }, f.money(r.cost, r.currency))));
    cost.append(h('h3', {}, 'From the list price to the cost'), h('ol', { 'data-testid': 'derivation' }, steps));
  }
  if (pricing.recharged) {
    const rc = pricing.recharged;
    cost.append(h('p', { class: rc.same ? 'ok-text' : 'warn-text', 'data-testid': 'recharged' }, rc.same
      ? 'Priced again with the prices, contracts and rates in force now, the record would not change.'
      : `Priced again now, it would cost ${f.money(rc.cost, rc.currency)} (list ${f.money(rc.list_cost, rc.currency)}${rc.contract ? ', contract ' + rc.contract : ''}): a repricing would change it.${rc.problem ? ' ' + rc.problem : ''}`));
  }
  el.append(cost);
  el.append(h('section', { class: 'panel' }, h('h2', {}, 'Tokens'), h('table', { class: 'data', 'data-testid': 'record-tokens' }, h('tbody', {},
    Object.keys(f.METER_LABELS).filter((m) => r.tokens[m] !== undefined).map((m) => [m, r.tokens[m]]).map(([m, n]) => h('tr', { 'data-meter': m }, h('th', { scope: 'row' }, f.METER_LABELS[m] || m), h('td', { class: 'num', 'data-value': n }, f.int(n))))))));
  el.append(h('details', { class: 'panel' }, h('summary', {}, 'Every stored field (JSON)'), h('pre', { 'data-testid': 'record-json' }, JSON.stringify(r, null, 2))));
  return el;
}

// ---------------------------------------------------------------- activity

export async function activity(ctx) {
  const metric = ['calls', 'tokens', 'cost'].includes(ctx.q.get('metric')) ? ctx.q.get('metric') : 'calls';
  const params = { ...ctx.dims };
  if (ctx.filters.to) params.to = ctx.filters.to;
  if (ctx.filters.to && ctx.filters.from) params.from = ctx.filters.from;
  const data = await get('usage/heatmap', params, { signal: ctx.signal });
  const el = page('Activity', 'activity', h('p', { class: 'range-text' }, rangeText(data)));
  const allCur = {};
  for (const d of data.days) for (const c of Object.keys(d.cost)) allCur[c] = '0';
  const cur = mainCurrency(allCur, ctx.q.get('currency'));
  el.append(h('div', { class: 'controls' },
    select('Show', 'metric', [['calls', 'Calls'], ['tokens', 'Tokens'], ['cost', 'Cost']], metric, (v) => ctx.set({ metric: v })),
    metric === 'cost' && Object.keys(allCur).length > 1 ? select('Currency', 'currency', f.currencies(allCur).map((c) => [c, c]), cur, (v) => ctx.set({ currency: v })) : null));
  let calls = 0n, tokens = 0n, active = 0;
  const costSum = {};
  let busiest = null;
  const days = data.days.map((d) => {
    calls += BigInt(d.calls);
    tokens += BigInt(d.tokens);
    for (const c of Object.keys(d.cost)) costSum[c] = (costSum[c] || 0n) + f.nanos(d.cost[c]);
    if (d.calls) active++;
    if (!busiest || d.calls > busiest.calls) busiest = d;
    const raw = metric === 'calls' ? String(d.calls) : metric === 'tokens' ? String(d.tokens) : moneyOf(d.cost, cur);
    const value = metric === 'cost' ? Number(f.nanos(d.cost[cur])) : metric === 'calls' ? d.calls : d.tokens;
    const shown = metric === 'cost' ? (d.cost[cur] ? f.money(d.cost[cur], cur) : 'no cost') : `${f.int(raw)} ${metric}`;
    const next = new Date(new Date(d.date + 'T00:00:00Z').getTime() + DAY).toISOString().slice(0, 10);
    return { date: d.date, value, raw, text: `${d.date}: ${shown}`, href: ctx.href('/records', { from: d.date, to: next }) };
  });
  const costMap = Object.fromEntries(Object.entries(costSum).map(([c, v]) => [c, f.decimal(v)]));
  el.append(h('div', { class: 'cards' },
    card('Calls', h('span', { 'data-testid': 'year-calls', 'data-value': String(calls) }, f.int(calls)), null, 'year-calls-card'),
    card('Tokens', h('span', { 'data-testid': 'year-tokens', 'data-value': String(tokens) }, f.int(tokens)), null, 'year-tokens-card'),
    card('Cost', amounts(costMap, 0, { 'data-testid': 'year-cost' }), 'added exactly per currency', 'year-cost-card'),
    card('Active days', h('span', { 'data-testid': 'active-days' }, f.int(active)), busiest && busiest.calls ? `busiest ${busiest.date}: ${f.int(busiest.calls)} calls` : null, 'active-card')));
  const box = h('div', { class: 'heat-box', 'data-testid': 'heatmap' });
  el.append(h('section', { class: 'panel' }, h('h2', {}, 'Per day (UTC); select a day for its records'), box));
  el.afterMount.push(() => heatmap(box, { days, label: `${metric} per day` }));
  return el;
}

// ---------------------------------------------------------------- cache

export async function cache(ctx) {
  const by = BY.includes(ctx.q.get('by')) ? ctx.q.get('by') : 'user';
  const data = await get('usage/cache', { ...ctx.filters, by, limit: ctx.q.get('limit') || '10' }, { signal: ctx.signal });
  const el = page('Cache', 'cache', h('p', { class: 'range-text' }, rangeText(data)));
  const s = data.summary, iv = data.intervals;
  el.append(h('div', { class: 'controls' }, select('Intervals and groups by', 'by', BY.filter((k) => k !== 'status').map((k) => [k, label(k)]), by, (v) => ctx.set({ by: v }))));
  const suggestion = { '5m': 'a 5-minute cache fits: most calls follow the previous one within 5 minutes', '1h': 'a 1-hour cache pays: it bridges clearly more gaps than 5 minutes', none: 'calls are too far apart for either cache to help much', not_enough_data: 'not enough consecutive calls to tell' }[iv.suggestion] || iv.suggestion;
  el.append(h('div', { class: 'cards' },
    card('Cache hit ratio', h('span', { 'data-testid': 'cache-hit', 'data-value': s.cache_hit_ratio }, f.pct(s.cache_hit_ratio)), `of ${f.int(BigInt(s.tokens.input || 0) + BigInt(s.tokens.cache_read || 0) + BigInt(s.tokens.cache_write_5m || 0) + BigInt(s.tokens.cache_write_1h || 0))} prompt tokens`, 'hit-card'),
    card('Saved by caching', amounts(s.cache_saved, 0, { 'data-testid': 'cache-saved' }), 'vs the same tokens uncached', 'saved-card'),
    card('Within 5 minutes', h('span', { 'data-testid': 'share-5m', 'data-value': iv.share_within_5m }, f.pct(iv.share_within_5m)), `${f.int(iv.within_5m)} of ${f.int(iv.gaps)} gaps`, 'share5-card'),
    card('Within 1 hour', h('span', { 'data-testid': 'share-1h', 'data-value': iv.share_within_1h }, f.pct(iv.share_within_1h)), `${f.int(iv.within_1h)} of ${f.int(iv.gaps)} gaps`, 'share1-card'),
  ));
  el.append(h('p', { class: 'suggestion', 'data-testid': 'suggestion', 'data-value': iv.suggestion }, h('strong', {}, 'TTL: '), suggestion));
  const hist = h('div', { class: 'chart-box', 'data-testid': 'intervals-chart' });
  const items = iv.buckets.map((b, i) => {
    const prev = i ? iv.buckets[i - 1].up_to_seconds : 0;
    const lbl = b.up_to_seconds === null ? `> ${f.seconds(prev)}` : `≤ ${f.seconds(b.up_to_seconds)}`;
    const within = b.up_to_seconds !== null && b.up_to_seconds <= 300 ? 's0' : b.up_to_seconds !== null && b.up_to_seconds <= 3600 ? 's1' : 's3';
    return { label: lbl, value: b.count, tip: `${lbl}: ${f.int(b.count)} gaps`, cls: within };
  });
  el.append(h('section', { class: 'panel' }, h('h2', {}, `Time between consecutive calls of one ${label(by).toLowerCase()}`),
    iv.gaps ? hist : empty('No consecutive calls', 'Each key made one call at most in this range.'),
    h('ul', { class: 'legend' }, h('li', {}, h('span', { class: 'swatch s0' }), 'a 5-minute cache covers'), h('li', {}, h('span', { class: 'swatch s1' }), 'a 1-hour cache covers'), h('li', {}, h('span', { class: 'swatch s3' }), 'neither'))));
  if (iv.gaps) el.afterMount.push(() => bars(hist, { items, label: 'Intervals between consecutive calls', fmt: f.compact }));
  const table = (title, key, groups, testid) => h('section', { class: 'panel' }, h('h2', {}, title), groups.length ? wrap(h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, [label(key), 'Calls', 'Prompt tokens', 'Cache read', 'Cache write', 'Hit ratio', 'Saved'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, t)))),
    h('tbody', {}, groups.map((g) => h('tr', { 'data-key': g.key },
      h('th', { scope: 'row' }, g.other ? 'other' : g.key === '' ? '(none)' : g.key),
      h('td', { class: 'num' }, f.int(g.calls)),
      h('td', { class: 'num' }, f.int(BigInt(g.tokens.input || 0) + BigInt(g.tokens.cache_read || 0) + BigInt(g.tokens.cache_write_5m || 0) + BigInt(g.tokens.cache_write_1h || 0))),
      h('td', { class: 'num' }, f.int(g.tokens.cache_read || 0)),
      h('td', { class: 'num' }, f.int((g.tokens.cache_write_5m || 0) + (g.tokens.cache_write_1h || 0))),
      h('td', { class: 'num', 'data-col': 'hit', 'data-value': g.cache_hit_ratio }, f.pct(g.cache_hit_ratio)),
      h('td', { class: 'num', 'data-col': 'saved' }, amounts(g.cache_saved, 0))))))) : empty('No calls'));
  el.append(h('div', { class: 'grid2' }, table('By model', 'model', data.by_model, 'cache-by-model'), table(`By ${label(by).toLowerCase()}`, by, data.groups, 'cache-by-key')));
  return el;
}
