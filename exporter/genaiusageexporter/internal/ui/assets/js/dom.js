// DOM helpers. Everything is built with createElement and textContent:
// no HTML strings, so no value from a span can become markup.

import { currencies, money, moneyValue } from './fmt.js';

// h builds an element: attributes (on* are listeners, class, dataset via
// data-*), then children (strings become text).
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : String(c));
  }
}

// amounts shows a money map: one line per currency, never added; the
// exact API strings in data-value. Calls nobody priced are said, never
// shown as $0.
export function amounts(m, unpriced, attrs = {}) {
  const cs = currencies(m);
  const el = h('span', { class: 'amounts', 'data-value': moneyValue(m), ...attrs });
  if (cs.length === 0) {
    el.append(h('span', { class: 'muted' }, unpriced ? 'not priced' : '—'));
  }
  cs.forEach((c) => el.append(h('span', { class: 'amount', 'data-currency': c }, money(m[c], c))));
  if (unpriced) el.append(h('span', { class: 'unpriced', 'data-unpriced': unpriced }, `+ ${unpriced.toLocaleString('en-US')} unpriced`));
  return el;
}

// card is one figure of the overview.
export function card(label, value, sub, testid) {
  return h('section', { class: 'card', 'data-testid': testid, 'aria-label': label },
    h('h3', {}, label), h('div', { class: 'figure' }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

export function loading(text = 'Loading…') {
  return h('div', { class: 'loading', role: 'status', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function empty(text, hint) {
  return h('div', { class: 'empty', role: 'status' }, h('strong', {}, text), hint ? h('p', {}, hint) : null);
}

// select builds a labelled <select>.
export function select(label, name, options, value, onchange) {
  const id = 'sel-' + name;
  const s = h('select', { id, name, onchange: (ev) => onchange(ev.target.value) },
    options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
  return h('label', { class: 'control', for: id }, label + ' ', s);
}
