// The page's shell: the router (paths and the query string are the whole
// state: shareable, and the back button works), the time range and
// filter bar, the theme, and the error banner.

import { APIError, forgetToken, token } from './api.js';
import { h, loading } from './dom.js';
import { FILTERS, STATUSES, label } from './consts.js';
import { day } from './fmt.js';
import * as views from './views.js';


const main = document.getElementById('main');
const banner = document.getElementById('banner');

// ctx is what a view reads: the URL's parameters and helpers.
function context() {
  const q = new URLSearchParams(location.search);
  const filters = {};
  for (const k of ['from', 'to', ...FILTERS]) if (q.has(k)) filters[k] = q.get(k);
  const dims = { ...filters };
  delete dims.from;
  delete dims.to;
  return {
    q, filters, dims,
    // href keeps the range and filters, and sets (or, with null, drops)
    // others.
    href(path, extra = {}, keepPage = false) {
      const p = new URLSearchParams();
      const src = keepPage ? q : new URLSearchParams(filters);
      for (const [k, v] of src) p.set(k, v);
      for (const [k, v] of Object.entries(extra)) {
        if (v === null || v === undefined) p.delete(k);
        else p.set(k, v);
      }
      const s = p.toString();
      return path + (s ? '?' + s : '');
    },
    // set changes this page's parameters: a new history entry.
    set(extra, replace = false) {
      navigate(this.href(location.pathname, extra, true), replace);
    },
  };
}

export function navigate(url, replace = false) {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

// A render in flight is abandoned when another starts.
let current = null;

async function render() {
  if (current) current.abort();
  const ctl = new AbortController();
  current = ctl;
  const ctx = context();
  ctx.signal = ctl.signal;
  const path = location.pathname;
  let page = path.replace(/^\/+/, '').split('/')[0] || 'overview';
  let view = views[page];
  if (path.startsWith('/records/')) {
    page = 'records';
    view = views.detail;
    ctx.id = decodeURIComponent(path.slice('/records/'.length));
  }
  for (const a of document.querySelectorAll('.tabs a')) {
    a.href = ctx.href(a.getAttribute('href').split('?')[0]);
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  syncFilters(ctx);
  banner.hidden = true;
  main.replaceChildren(loading());
  main.setAttribute('aria-busy', 'true');
  try {
    if (!view) throw new APIError(404, 'not_found', 'No such page: ' + path);
    const out = await view(ctx);
    if (ctl.signal.aborted) return;
    main.replaceChildren(out);
    document.title = (out.dataset.title ? out.dataset.title + ' · ' : '') + 'GenAI usage';
    for (const cb of out.afterMount || []) cb();
  } catch (e) {
    if (ctl.signal.aborted || e.name === 'AbortError') return;
    main.replaceChildren(failure(e));
  } finally {
    if (current === ctl) main.removeAttribute('aria-busy');
    document.getElementById('signout').hidden = !token();
    if (!ctl.signal.aborted) {
      document.body.dataset.ready = String(Date.now());
      // The first view drawn, for the load measurement (docs/ui.md).
      if (!performance.getEntriesByName('genai-usage-drawn').length) performance.mark('genai-usage-drawn');
    }
  }
}

// failure explains an error; a store that is down gets the banner.
function failure(e) {
  const retry = h('button', { type: 'button', class: 'primary', onclick: () => render() }, 'Retry');
  if (e instanceof APIError && e.status === 503) {
    banner.replaceChildren(h('strong', {}, 'The usage store is not answering (503). '),
      'The collector is up, but its database could not answer: it may be down, unreachable or busy. Records keep queueing in the collector and are written once it is back. ',
      h('span', { class: 'detail' }, e.message));
    banner.hidden = false;
    banner.dataset.status = '503';
    return h('div', { class: 'error-panel', 'data-testid': 'unavailable' },
      h('h2', {}, 'Usage store unavailable'), h('p', {}, 'Try again in a moment.'), retry);
  }
  const status = e instanceof APIError && e.status ? ` (${e.status})` : '';
  return h('div', { class: 'error-panel', 'data-testid': 'error' },
    h('h2', {}, 'Could not load this view' + status), h('p', { class: 'error' }, e.message), retry);
}

// The filter bar mirrors the URL.
const form = document.getElementById('filters');
const keySel = document.getElementById('f-key');
const valueIn = document.getElementById('f-value');
const chips = document.getElementById('chips');
for (const k of FILTERS) keySel.append(h('option', { value: k }, label(k)));
// The statuses are a closed list: offer them.
const values = document.getElementById('f-values');
keySel.addEventListener('change', () => {
  values.replaceChildren(...(keySel.value === 'status' ? STATUSES.map((v) => h('option', { value: v })) : []));
});

function syncFilters(ctx) {
  form.elements.from.value = (ctx.filters.from || '').slice(0, 10);
  form.elements.to.value = (ctx.filters.to || '').slice(0, 10);
  chips.replaceChildren();
  for (const k of FILTERS) {
    if (!(k in ctx.filters)) continue;
    const v = ctx.filters[k];
    chips.append(h('li', { class: 'chip', 'data-filter': k },
      h('span', {}, label(k) + ': ', h('b', {}, v === '' ? '(none)' : v)),
      h('button', { type: 'button', 'aria-label': `Remove filter ${label(k)}`, onclick: () => context().set({ [k]: null, offset: null }) }, '×')));
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const extra = { offset: null };
  extra.from = form.elements.from.value || null;
  extra.to = form.elements.to.value || null;
  const v = valueIn.value.trim();
  if (v) extra[keySel.value] = v;
  valueIn.value = '';
  context().set(extra);
});
for (const name of ['from', 'to']) {
  form.elements[name].addEventListener('change', () => form.requestSubmit());
}
for (const b of form.querySelectorAll('[data-preset]')) {
  b.addEventListener('click', () => {
    const days = Number(b.dataset.preset);
    const now = new Date();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    const from = new Date(to.getTime() - days * 86400000);
    context().set({ from: day(from), to: day(to), offset: null });
  });
}

// Links inside the page navigate without a reload.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  // getAttribute: an SVG <a> (the heatmap's days) has no string href.
  const href = a.getAttribute('href');
  if (!href || href.startsWith('#')) return; // the skip link: the browser's own jump
  const url = new URL(href, location.href);
  if (url.origin !== location.origin || a.hasAttribute('download') || a.getAttribute('target') || url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/')) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
  main.focus({ preventScroll: true });
});
addEventListener('popstate', () => render());
document.addEventListener('token-changed', () => {
  document.getElementById('signout').hidden = !token();
});
document.getElementById('signout').addEventListener('click', () => {
  forgetToken();
  render();
});

// Theme: the system's unless chosen; the choice is remembered.
const themeBtn = document.getElementById('theme');
function applyTheme() {
  const chosen = localStorage.getItem('genai-usage-theme');
  const dark = chosen ? chosen === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  themeBtn.setAttribute('aria-pressed', String(dark));
  themeBtn.querySelector('.theme-label').textContent = dark ? 'Light' : 'Dark';
  themeBtn.setAttribute('aria-label', dark ? 'Switch to light theme' : 'Switch to dark theme');
}
themeBtn.addEventListener('click', () => {
  localStorage.setItem('genai-usage-theme', document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  applyTheme();
});
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  applyTheme();
});
applyTheme();

let resizeTimer;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => document.dispatchEvent(new Event('redraw')), 150);
});

render();
