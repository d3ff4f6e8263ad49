// Shared capture harness: a tiny OTLP/HTTP receiver, an OpenTelemetry tracer
// provider exporting OTLP/JSON to it, the mock provider, and a `scenario()`
// helper that writes one fixture (+ .usage.json sidecar) per scenario.
//
// Nothing here touches span content: fixtures are the exporter's request
// bodies, parsed and re-serialised with 2-space indentation, with the
// resourceSpans arrays of all bodies received during the scenario concatenated.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { context, trace, diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

import { startMockProvider } from '../mock-provider.mjs';

export const CAPTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = process.env.CAPTURE_OUT_DIR
  ? path.resolve(process.env.CAPTURE_OUT_DIR)
  : path.resolve(CAPTURE_DIR, '..', 'traces', 'captured');

if (process.env.CAPTURE_OTEL_DEBUG) {
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Version of an installed package, resolved by walking node_modules upwards from `fromDir`. */
export function pkgVersion(name, fromDir = CAPTURE_DIR) {
  let dir = path.resolve(fromDir);
  for (;;) {
    const p = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(p)) return JSON.parse(fs.readFileSync(p, 'utf8')).version;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Minimal OTLP/HTTP receiver: stores every POST /v1/traces JSON body. */
export async function startReceiver() {
  const bodies = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url.startsWith('/v1/traces')) {
        const ct = String(req.headers['content-type'] ?? '');
        if (!ct.includes('json')) {
          console.error(`[receiver] non-JSON trace export (content-type ${ct}); ignored`);
        } else {
          bodies.push(JSON.parse(raw.toString('utf8')));
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      // metrics/logs (e.g. from SDKs that set up everything themselves): accept and drop
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    tracesURL: `${origin}/v1/traces`,
    take() {
      return bodies.splice(0, bodies.length);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * Registers a global TracerProvider (BatchSpanProcessor -> OTLP/HTTP JSON
 * exporter -> receiver) and an AsyncLocalStorage context manager.
 */
export function setupTracing({ serviceName, receiver }) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new OTLPTraceExporter({ url: receiver.tracesURL });
  const tracerProvider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // Batch processor as in production; flushed explicitly at the end of each
    // scenario, so a scenario's spans normally arrive in one export request.
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 60_000, maxExportBatchSize: 512, maxQueueSize: 2048 })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  return tracerProvider;
}

/**
 * Starts mock provider + receiver (+ tracing unless `ownTracing`), and returns
 * helpers to run scenarios.
 *
 * @param {object} o
 * @param {string} o.library      fixture name prefix, e.g. "otel-openai"
 * @param {string} o.serviceName  resource service.name
 * @param {Record<string,string|null>} o.packages  package -> version (recorded in sidecars)
 * @param {string} o.primaryPackage  package whose name/version go to library/library_version
 * @param {boolean} [o.ownTracing]   the library sets up its own SDK/exporter (e.g. openlit)
 */
export async function createCapture({ library, serviceName, packages, primaryPackage, ownTracing = false }) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const receiver = await startReceiver();
  const mock = await startMockProvider();
  const tracerProvider = ownTracing ? null : setupTracing({ serviceName, receiver });
  const written = [];
  let flushFn = async () => {
    if (tracerProvider) await tracerProvider.forceFlush();
  };

  async function scenario(name, fn, { notes = '', settleMs = 150, primary = primaryPackage } = {}) {
    mock.takeCalls();
    receiver.take();
    let error = null;
    try {
      await fn();
    } catch (err) {
      error = err;
    }
    // let instrumentations end spans that close on a later tick
    await sleep(settleMs);
    await flushFn();
    await sleep(50);
    const bodies = receiver.take();
    const calls = mock.takeCalls();
    const merged = { resourceSpans: bodies.flatMap((b) => b.resourceSpans ?? []) };
    const spanCount = merged.resourceSpans
      .flatMap((rs) => rs.scopeSpans ?? [])
      .reduce((n, ss) => n + (ss.spans?.length ?? 0), 0);

    const base = `${library}-${name}`;
    const fixturePath = path.join(OUT_DIR, `${base}.json`);
    const sidecarPath = path.join(OUT_DIR, `${base}.usage.json`);
    const usages = calls.map((c) => c.usage ?? null);
    const sidecar = {
      library: primary,
      library_version: packages[primary] ?? null,
      packages,
      scenario: name,
      fixture: `${base}.json`,
      provider_usage_returned:
        calls.length === 1 ? usages[0] : calls.length === 0 ? null : usages,
      provider_calls: calls,
      call_error: error ? `${error.constructor?.name ?? 'Error'}: ${error.message}` : null,
      span_count: spanCount,
      export_requests: bodies.length,
      notes,
    };
    if (spanCount === 0) {
      console.error(`[capture] ${base}: NO SPANS exported; fixture not written`);
      sidecar.notes = `${notes}${notes ? ' ' : ''}NO SPANS were exported for this scenario.`;
      if (fs.existsSync(fixturePath)) fs.rmSync(fixturePath);
    } else {
      fs.writeFileSync(fixturePath, JSON.stringify(merged, null, 2) + '\n');
    }
    fs.writeFileSync(sidecarPath, JSON.stringify(sidecar, null, 2) + '\n');
    written.push({ base, spanCount, calls: calls.length, error: sidecar.call_error });
    console.log(
      `[capture] ${base}: ${spanCount} span(s), ${bodies.length} export request(s), ${calls.length} provider call(s)` +
        (error ? `, call error: ${sidecar.call_error}` : ''),
    );
    return { error, spanCount };
  }

  return {
    receiver,
    mock,
    tracerProvider,
    openaiBaseURL: `${mock.origin}/v1`,
    anthropicBaseURL: mock.origin,
    scenario,
    setFlush(fn) {
      flushFn = fn;
    },
    async close() {
      await flushFn().catch(() => {});
      if (tracerProvider) await tracerProvider.shutdown().catch(() => {});
      await mock.close();
      await receiver.close();
      return written;
    },
  };
}
