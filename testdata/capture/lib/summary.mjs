// Verification + summary of captured fixtures.
//
// For each <name>.json fixture (with its <name>.usage.json sidecar):
//   * it must parse and contain >= 1 span;
//   * the usage-related span attributes are listed per span;
//   * the provider's output-token count(s) must appear among the token/usage
//     attribute values, and the input-token count is classified as reported
//     "raw" (provider's prompt/input_tokens as returned) and/or "inclusive"
//     (Anthropic input + cache_read + cache_creation), "exclusive"
//     (OpenAI prompt_tokens - cached_tokens) when such a value appears.

import fs from 'node:fs';
import path from 'node:path';

const SKIP_RE = /(PerSecond|time_per_output|time_to_first|msTo)/;
const KEY_RE = /(token|usage|model|provider|cost|operation\.name|^ai\.operationId$|^gen_ai\.system$|^llm\.system$|span\.kind|^ai\.settings\.context\.|^ai\.telemetry\.metadata\.|^gen_ai\.agent\.name$|^service\.name$|^resource\.name$|^gen_ai\.conversation\.id$)/i;
const NUMERIC_KEY_RE = /(token|usage|providerMetadata|cost)/i;
const NOT_USAGE_RE = /(max_?tokens|maxOutputTokens|^gen_ai\.request\.|^ai\.settings\.)/i;
const KIND = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

function renderValue(v) {
  if (v == null) return 'null';
  if ('stringValue' in v) {
    const s = v.stringValue;
    return JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s) + (/^-?\d+(\.\d+)?$/.test(s) ? ' (STRING)' : '');
  }
  if ('intValue' in v) return `${v.intValue} (int)`;
  if ('doubleValue' in v) return `${v.doubleValue} (double)`;
  if ('boolValue' in v) return `${v.boolValue} (bool)`;
  if ('arrayValue' in v) return `[${(v.arrayValue.values ?? []).map(renderValue).join(', ')}]`;
  return JSON.stringify(v);
}

function numbersIn(v, out) {
  if (v == null) return;
  if ('intValue' in v) out.push(Number(v.intValue));
  else if ('doubleValue' in v) out.push(Number(v.doubleValue));
  else if ('stringValue' in v) {
    const s = v.stringValue.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) out.push(Number(s));
    else if (s.startsWith('{') || s.startsWith('[')) {
      try {
        walkJSON(JSON.parse(s), out);
      } catch {
        /* not JSON */
      }
    }
  } else if ('arrayValue' in v) (v.arrayValue.values ?? []).forEach((x) => numbersIn(x, out));
}
function walkJSON(x, out) {
  if (typeof x === 'number') out.push(x);
  else if (Array.isArray(x)) x.forEach((y) => walkJSON(y, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((y) => walkJSON(y, out));
}

export function spansOf(doc) {
  const spans = [];
  for (const rs of doc.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const sp of ss.spans ?? []) spans.push({ span: sp, scope: ss.scope?.name ?? '', resource: rs.resource });
    }
  }
  return spans;
}

function describeUsage(u) {
  if (u == null) return 'none';
  const parts = [];
  for (const [k, v] of Object.entries(u)) {
    if (typeof v === 'number') parts.push(`${k}=${v}`);
    else if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number' && v2 !== 0) parts.push(`${k}.${k2}=${v2}`);
    }
  }
  return parts.join(' ');
}

function checkUsage(calls, values) {
  const withUsage = calls.filter((c) => c.usage);
  if (withUsage.length === 0) {
    return values.length ? `no provider usage; token attrs present anyway: ${[...new Set(values)].join(',')}` : 'no provider usage; no token values (ok)';
  }
  const has = (n) => values.includes(n);
  const res = [];
  let ok = true;
  const outs = withUsage.map((c) => c.usage.completion_tokens ?? c.usage.output_tokens).filter((o) => o != null);
  const outState = outs.length ? outs.map((o) => (has(o) ? `${o}✓` : `${o}✗`)) : ['n/a'];
  if (outs.length > 1) {
    const sum = outs.reduce((a, b) => a + b, 0);
    outState.push(`sum ${sum}${has(sum) ? '✓' : '✗'}`);
  }
  if (!outs.every(has) && !(outs.length > 1 && has(outs.reduce((a, b) => a + b, 0)))) ok = false;
  // multi-call scenario: some span should carry the aggregate
  if (outs.length > 1 && !has(outs.reduce((a, b) => a + b, 0))) {
    ok = false;
    outState.push('(no span carries the multi-call output total)');
  }
  res.push(`output ${outState.join(' ')}`);

  const inStates = [];
  const rawIns = [];
  const incIns = [];
  const excIns = [];
  for (const c of withUsage) {
    const u = c.usage;
    const raw = u.prompt_tokens ?? u.input_tokens ?? 0;
    rawIns.push(raw);
    const cacheRead = u.cache_read_input_tokens ?? 0;
    const cacheWrite = u.cache_creation_input_tokens ?? 0;
    if (cacheRead || cacheWrite) incIns.push(raw + cacheRead + cacheWrite);
    const cached = u.prompt_tokens_details?.cached_tokens ?? u.input_tokens_details?.cached_tokens ?? 0;
    if (cached) excIns.push(raw - cached);
  }
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const tag = (label, arr) => {
    if (!arr.length) return;
    const hit = arr.filter(has);
    if (hit.length) inStates.push(`${label}(${hit.join(',')})`);
    if (arr.length > 1 && has(sum(arr))) inStates.push(`${label}-sum(${sum(arr)})`);
  };
  tag('raw', rawIns);
  tag('anthropic-inclusive', incIns);
  tag('openai-minus-cached', excIns);
  if (!inStates.length) {
    ok = false;
    res.push('input ✗ (no raw/inclusive/exclusive value found)');
  } else res.push(`input ${inStates.join(' ')}`);
  return `${ok ? 'OK' : 'USAGE-DIFFERS'}: ${res.join('; ')}`;
}

export function summarizeFixture(fixturePath) {
  const base = path.basename(fixturePath, '.json');
  const sidecarPath = fixturePath.replace(/\.json$/, '.usage.json');
  const sidecar = fs.existsSync(sidecarPath) ? JSON.parse(fs.readFileSync(sidecarPath, 'utf8')) : null;
  const lines = [];
  let problems = 0;
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));
  } catch (e) {
    return { base, problems: 1, text: `${base}: INVALID JSON (${e.message})` };
  }
  const spans = spansOf(doc);
  if (!spans.length) problems++;
  const calls = sidecar?.provider_calls ?? [];
  const provider = calls.map((c) => `${c.method} ${c.path} ${c.request_model}->${c.response_model ?? '-'} ${c.stream ? 'stream ' : ''}status=${c.status} usage: ${describeUsage(c.usage)}`);
  const values = [];
  for (const { span } of spans) {
    for (const a of span.attributes ?? []) if (NUMERIC_KEY_RE.test(a.key) && !NOT_USAGE_RE.test(a.key)) numbersIn(a.value, values);
  }
  const check = checkUsage(calls, values);
  lines.push(`${base}.json  (${spans.length} span${spans.length === 1 ? '' : 's'}; ${sidecar?.library}@${sidecar?.library_version})`);
  for (const p of provider) lines.push(`  provider: ${p}`);
  lines.push(`  check: ${check}`);
  // parent/child ordering: roots first, then children (depth-first by parentSpanId)
  const byParent = new Map();
  const ids = new Set(spans.map((s) => s.span.spanId));
  for (const s of spans) {
    const p = s.span.parentSpanId && ids.has(s.span.parentSpanId) ? s.span.parentSpanId : '';
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(s);
  }
  for (const arr of byParent.values()) arr.sort((a, b) => (BigInt(a.span.startTimeUnixNano) < BigInt(b.span.startTimeUnixNano) ? -1 : 1));
  const walk = (pid, depth) => {
    for (const s of byParent.get(pid) ?? []) {
      const sp = s.span;
      const ind = '  '.repeat(depth + 1);
      const status = sp.status?.code === 2 ? ' status=ERROR' : '';
      lines.push(`${ind}- span "${sp.name}" kind=${KIND[sp.kind] ?? sp.kind}${status} scope=${s.scope}`);
      for (const a of sp.attributes ?? []) {
        if (KEY_RE.test(a.key) && !SKIP_RE.test(a.key)) lines.push(`${ind}    ${a.key} = ${renderValue(a.value)}`);
      }
      walk(sp.spanId, depth + 1);
    }
  };
  walk('', 0);
  return { base, problems, differs: check.startsWith('USAGE-DIFFERS'), text: lines.join('\n') };
}

export function summarizeDir(dir, { only } = {}) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.usage.json'))
    .filter((f) => !only || only.has(f.replace(/\.json$/, '')))
    .sort();
  const results = files.map((f) => summarizeFixture(path.join(dir, f)));
  // sidecars without fixture (library emitted nothing)
  const missing = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.usage.json'))
    .map((f) => f.replace(/\.usage\.json$/, ''))
    .filter((b) => !files.includes(`${b}.json`))
    .filter((b) => !only || only.has(b));
  for (const b of missing) {
    const sc = JSON.parse(fs.readFileSync(path.join(dir, `${b}.usage.json`), 'utf8'));
    results.push({ base: b, problems: 0, text: `${b}: no fixture (library exported no spans). ${sc.notes ?? ''}` });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'traces', 'captured');
  const results = summarizeDir(dir);
  for (const r of results) console.log(r.text + '\n');
  const bad = results.filter((r) => r.problems);
  const differs = results.filter((r) => r.differs);
  if (differs.length) console.log(`usage differs from provider (library behaviour, see README): ${differs.map((r) => r.base).join(', ')}`);
  console.log(bad.length ? `PROBLEMS: ${bad.map((r) => r.base).join(', ')}` : `all ${results.length} fixtures parse and have spans`);
  if (bad.length) process.exitCode = 1;
}
