// Hand-written SVG charts: stacked bars, a year heatmap, a histogram.
// Colours come from CSS classes (s0..s9, h0..h4), so the themes apply.

const NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, parent) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function title(parent, text) {
  const t = svg('title', {}, parent);
  t.textContent = text;
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= v) return m * p; // a quarter of each is round
  return 10 * p;
}

// stackedBars draws buckets of stacked values.
//   buckets: [{label, tip, values: {key: number}}]
//   keys: series keys, bottom first; names: key -> legend text
//   fmt: value -> axis/tooltip text
export function stackedBars(el, { buckets, keys, names, fmt, label }) {
  el.replaceChildren();
  const W = Math.max(el.clientWidth || 800, 320), H = 260;
  const m = { l: 64, r: 12, t: 12, b: 34 };
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, class: 'chart' }, el);
  let max = 0;
  for (const b of buckets) {
    let s = 0;
    for (const k of keys) s += b.values[k] || 0;
    max = Math.max(max, s);
  }
  max = niceMax(max);
  const iw = W - m.l - m.r, ih = H - m.t - m.b;
  const y = (v) => m.t + ih - (v / max) * ih;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: 'grid' }, root);
    const t = svg('text', { x: m.l - 8, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, root);
    t.textContent = fmt(v, true);
  }
  const n = Math.max(buckets.length, 1);
  const bw = iw / n;
  const gap = Math.min(bw * 0.2, 6);
  const every = Math.max(1, Math.ceil(n / Math.floor(iw / 70)));
  buckets.forEach((b, i) => {
    const x = m.l + i * bw + gap / 2;
    let acc = 0;
    const g = svg('g', {}, root);
    keys.forEach((k, ki) => {
      const v = b.values[k] || 0;
      if (v <= 0) return;
      const r = svg('rect', { x, y: y(acc + v), width: Math.max(bw - gap, 1), height: Math.max(y(acc) - y(acc + v), 0.5), class: 's' + (ki % 10) }, g);
      title(r, `${b.tip} · ${names[k] ?? k}: ${b.texts?.[k] ?? fmt(v)}`);
      acc += v;
    });
    if (i % every === 0) {
      const t = svg('text', { x: x + (bw - gap) / 2, y: H - m.b + 16, class: 'axis', 'text-anchor': 'middle' }, root);
      t.textContent = b.label;
    }
  });
  const legend = document.createElement('ul');
  legend.className = 'legend';
  keys.forEach((k, ki) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch s' + (ki % 10);
    li.append(sw, document.createTextNode(names[k] ?? k));
    legend.appendChild(li);
  });
  el.appendChild(legend);
}

// heatmap draws a year of days, a column per week (Monday first).
//   days: [{date: 'YYYY-MM-DD', value: number, text, href}]
export function heatmap(el, { days, label }) {
  el.replaceChildren();
  const cell = 13, gap = 3, top = 20, left = 30;
  const first = new Date(days[0].date + 'T00:00:00Z');
  const offset = (first.getUTCDay() + 6) % 7;
  const weeks = Math.ceil((days.length + offset) / 7);
  const W = left + weeks * (cell + gap) + 24, H = top + 7 * (cell + gap);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'heatmap', role: 'group', 'aria-label': label }, el);
  ['Mon', '', 'Wed', '', 'Fri', '', ''].forEach((d, i) => {
    if (!d) return;
    const t = svg('text', { x: 0, y: top + i * (cell + gap) + cell - 2, class: 'axis' }, root);
    t.textContent = d;
  });
  const vals = days.map((d) => d.value).filter((v) => v > 0).sort((a, b) => a - b);
  const q = (p) => vals[Math.min(vals.length - 1, Math.floor(p * vals.length))];
  const cuts = vals.length ? [q(0.25), q(0.5), q(0.75)] : [];
  const level = (v) => (v <= 0 ? 0 : v <= cuts[0] ? 1 : v <= cuts[1] ? 2 : v <= cuts[2] ? 3 : 4);
  let month = -1;
  days.forEach((d, i) => {
    const idx = i + offset;
    const wk = Math.floor(idx / 7), wd = idx % 7;
    const x = left + wk * (cell + gap), y = top + wd * (cell + gap);
    const dt = new Date(d.date + 'T00:00:00Z');
    if (dt.getUTCMonth() !== month && wd === 0) {
      month = dt.getUTCMonth();
      const t = svg('text', { x, y: 12, class: 'axis' }, root);
      t.textContent = dt.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
    } else if (month === -1) {
      month = dt.getUTCMonth();
    }
    const a = svg('a', { href: d.href, 'aria-label': d.text, 'data-date': d.date, 'data-value': d.raw, class: 'day' }, root);
    const r = svg('rect', { x, y, width: cell, height: cell, rx: 2, class: 'h' + level(d.value) }, a);
    title(r, d.text);
  });
  const legend = document.createElement('div');
  legend.className = 'heat-legend';
  legend.append('Less ');
  for (let i = 0; i <= 4; i++) {
    const s = document.createElement('span');
    s.className = 'swatch h' + i;
    legend.append(s);
  }
  legend.append(' More');
  el.appendChild(legend);
}

// bars draws a simple histogram: [{label, value, tip}].
export function bars(el, { items, label, fmt }) {
  el.replaceChildren();
  const W = Math.max(el.clientWidth || 600, 320), H = 200;
  const m = { l: 48, r: 8, t: 10, b: 30 };
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, class: 'chart' }, el);
  const max = niceMax(Math.max(...items.map((i) => i.value), 0));
  const iw = W - m.l - m.r, ih = H - m.t - m.b;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4, yy = m.t + ih - (v / max) * ih;
    svg('line', { x1: m.l, x2: W - m.r, y1: yy, y2: yy, class: 'grid' }, root);
    const t = svg('text', { x: m.l - 6, y: yy + 4, class: 'axis', 'text-anchor': 'end' }, root);
    t.textContent = fmt(v);
  }
  const bw = iw / Math.max(items.length, 1);
  items.forEach((it, i) => {
    const h = (it.value / max) * ih;
    const r = svg('rect', { x: m.l + i * bw + 4, y: m.t + ih - h, width: Math.max(bw - 8, 1), height: Math.max(h, 0), class: it.cls || 's0' }, root);
    title(r, it.tip);
    const t = svg('text', { x: m.l + i * bw + bw / 2, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, root);
    t.textContent = it.label;
  });
}
