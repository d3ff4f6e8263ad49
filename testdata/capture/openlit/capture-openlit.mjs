// OpenLIT TypeScript SDK (npm `openlit`). OpenLIT insists on its own SDK setup
// (NodeTracerProvider + OTLP/HTTP exporter from its own dependencies), so it is
// initialised with otlpEndpoint pointing at the harness receiver instead of the
// harness tracer provider. Own npm project because openlit pins the
// OpenTelemetry JS 2.x SDK (api < 1.10), which conflicts with the parent's 3.x.
//
// The @anthropic-ai/sdk client's own native span is switched off
// (openTelemetry: false) so the fixtures show OpenLIT's spans alone.
//
//   node capture-openlit.mjs                      openlit-* fixtures
//   node capture-openlit.mjs dual-anthropic-sdk   dual-openlit-anthropic-sdk-* fixtures:
//       OpenLIT's Anthropic instrumentation AND the SDK's own span (left at its
//       default, on), in one process. The SDK's tracer comes from the global
//       tracer provider (trace.getTracerProvider() in @anthropic-ai/sdk
//       internal/tracing), which is the NodeTracerProvider that Openlit.init
//       registers, so both spans share one provider, one trace and (with the
//       batch processor, flushed per scenario) one export request.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { Openlit } from 'openlit'; // (from ESM the CJS default export is the module object)
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runOpenAIOperations } from '../lib/openai-operations.mjs';

const mode = process.argv[2] ?? '';
if (mode !== '' && mode !== 'dual-anthropic-sdk') throw new Error(`unknown mode ${mode}`);
const dual = mode === 'dual-anthropic-sdk';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = {
  openlit: pkgVersion('openlit', here),
  openai: pkgVersion('openai', here),
  '@anthropic-ai/sdk': pkgVersion('@anthropic-ai/sdk', here),
  '@opentelemetry/sdk-trace-node (openlit)': pkgVersion('@opentelemetry/sdk-trace-node', here),
  '@opentelemetry/exporter-trace-otlp-http (openlit)': pkgVersion('@opentelemetry/exporter-trace-otlp-http', here),
  ...(dual ? { '@opentelemetry/api (openlit, @anthropic-ai/sdk)': pkgVersion('@opentelemetry/api', here) } : {}),
};
const cap = await createCapture({
  library: dual ? 'dual-openlit-anthropic-sdk' : 'openlit',
  serviceName: dual ? 'capture-dual-openlit-anthropic-sdk' : 'capture-openlit',
  packages,
  primaryPackage: 'openlit',
  ownTracing: true,
});

// OpenLIT computes gen_ai.usage.cost itself from a pricing table (by default
// downloaded from GitHub at startup, unreachable here). We pass a small table
// in OpenLIT's pricing.json format (USD per 1K tokens) so the cost attribute is
// populated deterministically.
const pricingJson = {
  chat: {
    'gpt-4o-mini': { promptPrice: 0.00015, completionPrice: 0.0006, cacheReadPrice: 0.000075 },
    'claude-sonnet-4-5': { promptPrice: 0.003, completionPrice: 0.015, cacheReadPrice: 0.0003, cacheCreationPrice: 0.00375 },
  },
  embeddings: { 'text-embedding-3-small': 0.00002 },
  images: { 'gpt-image-1': { medium: { '1024x1024': 0.042 } } },
  audio: { 'gpt-4o-mini-tts': 0.015 },
};

Openlit.init({
  applicationName: dual ? 'capture-dual-openlit-anthropic-sdk' : 'capture-openlit',
  environment: 'capture',
  otlpEndpoint: cap.receiver.origin,
  // dual: OpenLIT's default BatchSpanProcessor (flushed at the end of each
  // scenario), so both spans of the call arrive in ONE export request, as a
  // user's would; otherwise SimpleSpanProcessor (one request per span).
  disableBatch: !dual,
  disableMetrics: true,
  disableEvents: true,
  captureMessageContent: true,
  pricingJson,
});
cap.setFlush(async () => {
  const tp = trace.getTracerProvider();
  const delegate = tp.getDelegate ? tp.getDelegate() : tp;
  await delegate.forceFlush?.();
});

const require = createRequire(import.meta.url);
const openaiModule = require('openai');
const { OpenAI } = openaiModule;
const { Anthropic } = require('@anthropic-ai/sdk');

const openai = new OpenAI({ baseURL: cap.openaiBaseURL, apiKey: 'test' });
// dual: no openTelemetry option, so the SDK's own span is at its default (on;
// ANTHROPIC_* variables are removed by capture.mjs), as in dual-anthropic-sdk-openinference.
const anthropic = dual
  ? new Anthropic({ baseURL: cap.anthropicBaseURL, apiKey: 'test' })
  : new Anthropic({ baseURL: cap.anthropicBaseURL, apiKey: 'test', openTelemetry: false });
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the capital of France?' },
];
const anthropicReq = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are a helpful assistant. <long cached context>', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};
const PRICING = ' OpenLIT pricing passed in: gpt-4o-mini $0.00015/1K in, $0.0006/1K out, $0.000075/1K cache read; claude-sonnet-4-5 $0.003/1K in, $0.015/1K out, $0.0003/1K cache read, $0.00375/1K cache write.';

if (dual) {
  const DUAL = 'ONE messages.create call traced twice in one trace: OpenLIT\'s "chat claude-sonnet-4-5" span (parent; it starts its span and calls the SDK method inside context.with) and the @anthropic-ai/sdk built-in "anthropic.messages.create" span (child, scope com.anthropic.sdk.typescript, default configuration: on), both from the tracer provider Openlit.init registers, exported together (BatchSpanProcessor, one export request). Both carry gen_ai.response.id. Usage must be counted once.';
  await cap.scenario('messages-cache', async () => {
    await anthropic.messages.create(anthropicReq);
  }, { notes: `${DUAL} Non-streaming; OpenLIT reports input_tokens 100 (exclusive), the SDK 2600 (inclusive).${PRICING}` });
  await cap.scenario('messages-cache-stream', async () => {
    const stream = await anthropic.messages.create({ ...anthropicReq, stream: true });
    for await (const _ of stream) { /* drain */ }
  }, { notes: `${DUAL} messages.create({stream:true}); message_start usage has output_tokens=1, message_delta has cumulative output_tokens=250 (OpenLIT adds them: 251).${PRICING}` });
  await cap.close();
  process.exit(0);
}

await cap.scenario('openai-chat-cached', async () => {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 512 });
}, { notes: 'openai chat.completions (non-streaming), 200 of 1200 prompt tokens cached.' + PRICING });

await cap.scenario('openai-chat-stream-include-usage', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'openai streaming with include_usage=true.' + PRICING });

await cap.scenario('anthropic-messages-cache', async () => {
  await anthropic.messages.create(anthropicReq);
}, { notes: 'anthropic messages.create (non-streaming). Anthropic input_tokens (100) EXCLUDES cache_read (2000) and cache_creation (500).' + PRICING });

await cap.scenario('anthropic-messages-cache-stream', async () => {
  const stream = await anthropic.messages.create({ ...anthropicReq, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'anthropic messages.create({stream:true}); message_start usage has output_tokens=1, message_delta has cumulative output_tokens=250.' + PRICING });

await runOpenAIOperations({
  cap,
  openai: openaiModule,
  client: openai,
  ops: ['responses', 'responses-stream', 'embeddings', 'images', 'audio-speech', 'audio-transcription', 'moderations'],
  expect: {
    'audio-transcription': 'not instrumented: openlit 1.15.0 wraps Chat.Completions.create, Embeddings.create, FineTuning.Jobs.create, Images.generate/createVariation, Audio.Speech.create and Responses.create only (dist/instrumentation/openai/index.js), so no span.',
    moderations: 'not instrumented: openlit 1.15.0 wraps Chat.Completions.create, Embeddings.create, FineTuning.Jobs.create, Images.generate/createVariation, Audio.Speech.create and Responses.create only (dist/instrumentation/openai/index.js), so no span.',
  },
  note: PRICING.trim() + ' Images: gpt-image-1 medium 1024x1024 $0.042 per image; audio: gpt-4o-mini-tts $0.015 per 1K characters.',
});

await cap.scenario('anthropic-messages-count-tokens', async () => {
  await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', system: anthropicReq.system, messages: anthropicReq.messages });
}, { notes: 'messages.countTokens: the API answers {input_tokens: 2600} (what messages.create would report as input, cache included) and no usage; counting tokens is free (not billable). Expected: not instrumented: openlit 1.15.0 wraps Messages.create only (dist/instrumentation/anthropic/index.js).' });

await cap.close();
