// Runs every capture job (one child process per library / instrumentation
// combination, since instrumentations patch the SDK modules process-wide),
// then verifies all fixtures and prints + writes the usage summary.
//
//   cd testdata/capture && npm ci && node capture.mjs
//
// Sub-projects (ai-v5/, ai-v6/, openlit/, langchain/) have their own package-lock.json;
// if their node_modules/ is missing this script runs `npm ci` in them first.
// Pass job names to run only some of them, e.g. `node capture.mjs otel-openai`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeDir } from './lib/summary.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = process.env.CAPTURE_OUT_DIR
  ? path.resolve(process.env.CAPTURE_OUT_DIR)
  : path.resolve(HERE, '..', 'traces', 'captured');

// name, working dir (relative to HERE), script, args, fixture prefix
const JOBS = [
  ['otel-openai', '.', 'scenarios/otel-openai.mjs', [], 'otel-openai-'],
  ['traceloop', '.', 'scenarios/traceloop.mjs', [], 'traceloop-'],
  ['openinference', '.', 'scenarios/openinference.mjs', [], 'openinference-'],
  ['anthropic-sdk', '.', 'scenarios/anthropic-sdk-native.mjs', [], 'anthropic-sdk-'],
  ['vercel-ai7-legacy', '.', 'scenarios/vercel-ai7.mjs', ['legacy'], 'vercel-ai7-legacy-'],
  ['vercel-ai7-otel', '.', 'scenarios/vercel-ai7.mjs', ['otel'], 'vercel-ai7-otel-'],
  ['vercel-ai7-otel-supplemental', '.', 'scenarios/vercel-ai7.mjs', ['otel-supplemental'], 'vercel-ai7-otel-supplemental-'],
  ['vercel-ai6', 'ai-v6', 'capture-vercel-ai6.mjs', [], 'vercel-ai6-'],
  ['vercel-ai5', 'ai-v5', 'capture-vercel-ai5.mjs', [], 'vercel-ai5-'],
  ['openlit', 'openlit', 'capture-openlit.mjs', [], 'openlit-'],
  ['dual-otel-openinference-openai', '.', 'scenarios/dual.mjs', ['otel-openinference-openai'], 'dual-otel-openinference-openai-'],
  ['dual-otel-traceloop-openai', '.', 'scenarios/dual.mjs', ['otel-traceloop-openai'], 'dual-otel-traceloop-openai-'],
  ['dual-anthropic-sdk-openinference', '.', 'scenarios/dual.mjs', ['anthropic-sdk-openinference'], 'dual-anthropic-sdk-openinference-'],
  ['dual-openlit-anthropic-sdk', 'openlit', 'capture-openlit.mjs', ['dual-anthropic-sdk'], 'dual-openlit-anthropic-sdk-'],
  ['langchain-openinference', 'langchain', 'capture-langchain.mjs', ['openinference'], 'langchain-openinference-'],
  ['langchain-traceloop', 'langchain', 'capture-langchain.mjs', ['traceloop'], 'langchain-traceloop-'],
];

const selected = process.argv.slice(2);
const jobs = selected.length ? JOBS.filter((j) => selected.includes(j[0])) : JOBS;
if (selected.length && jobs.length !== selected.length) {
  console.error(`unknown job(s); known: ${JOBS.map((j) => j[0]).join(', ')}`);
  process.exit(2);
}

// A clean, reproducible environment for the children: no OTEL_* / provider /
// vendor SDK variables from the caller's shell (several libraries read them).
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(OTEL_|OPENAI_|ANTHROPIC_|OPENLIT_|TRACELOOP_|OPENINFERENCE_|AI_SDK_|VERCEL_|LANGCHAIN_|LANGSMITH_)/.test(k)),
);
env.CAPTURE_OUT_DIR = OUT_DIR;
if (process.env.CAPTURE_OTEL_DEBUG) env.CAPTURE_OTEL_DEBUG = process.env.CAPTURE_OTEL_DEBUG;

const started = Date.now();
if (!fs.existsSync(path.join(HERE, 'node_modules'))) {
  console.error('node_modules/ missing: run `npm ci` in testdata/capture first');
  process.exit(2);
}
for (const dir of new Set(jobs.map((j) => j[1]).filter((d) => d !== '.'))) {
  const abs = path.join(HERE, dir);
  if (!fs.existsSync(path.join(abs, 'node_modules'))) {
    console.log(`[capture] npm ci in ${dir}/`);
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: abs, stdio: 'inherit', env: process.env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

fs.mkdirSync(OUT_DIR, { recursive: true });
// remove stale outputs of the selected jobs
for (const f of fs.readdirSync(OUT_DIR)) {
  if (f.endsWith('.json') && jobs.some((j) => f.startsWith(j[4]))) fs.rmSync(path.join(OUT_DIR, f));
}

const failed = [];
for (const [name, dir, script, args] of jobs) {
  console.log(`\n=== ${name}: node ${path.join(dir, script)} ${args.join(' ')}`.trimEnd());
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: path.join(HERE, dir),
    env,
    stdio: 'inherit',
    timeout: 60_000,
  });
  if (r.status !== 0) {
    console.error(`[capture] job ${name} FAILED (exit ${r.status}${r.signal ? `, signal ${r.signal}` : ''})`);
    failed.push(name);
  }
}

// ---- verification + summary ----
const prefixes = jobs.map((j) => j[4]);
const only = new Set(
  fs
    .readdirSync(OUT_DIR)
    .filter((f) => f.endsWith('.usage.json') && prefixes.some((p) => f.startsWith(p)))
    .map((f) => f.replace(/\.usage\.json$/, '')),
);
const results = summarizeDir(OUT_DIR, { only });
const problems = results.filter((r) => r.problems);
const differs = results.filter((r) => r.differs);
const text = results.map((r) => r.text).join('\n\n');
console.log('\n================ SUMMARY (span -> usage-related attributes) ================\n');
console.log(text);
console.log('');
if (differs.length) {
  console.log(`Token attributes differ from what the provider returned (library behaviour, documented in README): ${differs.map((r) => r.base).join(', ')}`);
}
console.log(`${results.length} fixture(s) checked; ${problems.length} problem(s); ${failed.length} failed job(s); ${((Date.now() - started) / 1000).toFixed(1)}s`);

if (!selected.length) {
  // full run: refresh SUMMARY.md and the summary block in README.md
  const block = '```text\n' + text + '\n```\n';
  fs.writeFileSync(path.join(HERE, 'SUMMARY.md'), `# Captured fixture summary\n\nGenerated by \`node capture.mjs\`; values are OTLP attribute values with their OTLP type.\n\n${block}`);
  const readmePath = path.join(HERE, 'README.md');
  if (fs.existsSync(readmePath)) {
    const readme = fs.readFileSync(readmePath, 'utf8');
    const re = /(<!-- SUMMARY:BEGIN -->\n)[\s\S]*?(<!-- SUMMARY:END -->)/;
    if (re.test(readme)) fs.writeFileSync(readmePath, readme.replace(re, (_, a, b) => `${a}${block}${b}`));
  }
}

if (problems.length || failed.length) {
  if (problems.length) console.error(`problems: ${problems.map((r) => r.base).join(', ')}`);
  process.exit(1);
}
