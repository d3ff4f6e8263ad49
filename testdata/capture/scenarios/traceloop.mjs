// OpenLLMetry JS (Traceloop): @traceloop/instrumentation-openai and
// @traceloop/instrumentation-anthropic, used standalone with our own tracer
// provider (no @traceloop/node-server-sdk).
//
// @traceloop/instrumentation-anthropic 0.27.0 unconditionally wraps
// Anthropic.Completions, which @anthropic-ai/sdk >= 1.0 no longer has: with
// sdk 1.x, require('@anthropic-ai/sdk') THROWS inside the instrumentation's
// patch hook. So Traceloop is captured with the newest 0.x SDK, installed under
// the npm alias "@anthropic-ai/sdk-0x" and patched with the instrumentation's
// documented manuallyInstrument() (require-in-the-middle matches the real
// package name only).
//
// @anthropic-ai/sdk 0.137 / 1.x also emit their OWN OpenTelemetry span
// (scope com.anthropic.sdk.typescript) by default. It is switched off here
// (openTelemetry: false) so these fixtures show Traceloop's spans alone; see
// anthropic-sdk-*.json and dual-*.json for the SDK's native span.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runOpenAIOperations } from '../lib/openai-operations.mjs';

const packages = {
  '@traceloop/instrumentation-openai': pkgVersion('@traceloop/instrumentation-openai'),
  '@traceloop/instrumentation-anthropic': pkgVersion('@traceloop/instrumentation-anthropic'),
  openai: pkgVersion('openai'),
  '@anthropic-ai/sdk': pkgVersion('@anthropic-ai/sdk-0x'),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: 'traceloop',
  serviceName: 'capture-traceloop',
  packages,
  primaryPackage: '@traceloop/instrumentation-openai',
});

// enrichTokens: count streamed tokens with tiktoken. @traceloop/node-server-sdk
// 0.27.0 passes enrichTokens = (TRACELOOP_ENRICH_TOKENS || "true"), i.e. true by
// default. traceContent: record prompts/completions.
const anthropicInstr = new AnthropicInstrumentation({ traceContent: true });
const openaiInstr = new OpenAIInstrumentation({ enrichTokens: true, traceContent: true });
registerInstrumentations({ instrumentations: [openaiInstr, anthropicInstr] });
const require = createRequire(import.meta.url);
const openaiModule = require('openai');
const { OpenAI } = openaiModule;
const anthropicModule = require('@anthropic-ai/sdk-0x');
anthropicInstr.manuallyInstrument(anthropicModule);
const Anthropic = anthropicModule.Anthropic;

const openai = new OpenAI({ baseURL: cap.openaiBaseURL, apiKey: 'test' });
const anthropic = new Anthropic({ baseURL: cap.anthropicBaseURL, apiKey: 'test', openTelemetry: false });
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


await cap.scenario('openai-chat-cached', async () => {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 512 });
}, { notes: 'openai chat.completions (non-streaming), 200 of 1200 prompt tokens cached.' });

await cap.scenario('openai-chat-stream-no-include-usage', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'openai streaming WITHOUT include_usage: provider sends no usage; enrichTokens=true so the instrumentation estimates tokens with tiktoken.' });

await cap.scenario('openai-chat-stream-include-usage', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'openai streaming with include_usage=true, enrichTokens=true: the instrumentation ignores the usage chunk and reports its own tiktoken estimate.' });

openaiInstr.setConfig({ enrichTokens: false, traceContent: true });
await cap.scenario('openai-chat-stream-include-usage-enrich-off', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'openai streaming with include_usage=true, enrichTokens=false: provider usage chunk is still ignored, so no token attributes at all.' });
openaiInstr.setConfig({ enrichTokens: true, traceContent: true });

await cap.scenario('anthropic-messages-cache', async () => {
  await anthropic.messages.create(anthropicReq);
}, { primary: '@traceloop/instrumentation-anthropic', notes: 'anthropic messages.create (non-streaming). Anthropic input_tokens (100) EXCLUDES cache_read (2000) and cache_creation (500).' });

await cap.scenario('anthropic-messages-cache-stream', async () => {
  const stream = await anthropic.messages.create({ ...anthropicReq, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { primary: '@traceloop/instrumentation-anthropic', notes: 'anthropic messages.create({stream:true}); message_start carries input/cache usage and output_tokens=1, message_delta carries cumulative totals (input/cache repeated, output_tokens=250).' });

await runOpenAIOperations({
  cap,
  openai: openaiModule,
  client: openai,
  ops: ['responses', 'responses-stream', 'embeddings', 'images', 'audio-speech', 'audio-transcription', 'moderations'],
  expect: {
    images: 'a span "image_generation gpt-image-1" whose output tokens are Traceloop\'s own estimate from size and quality (calculateImageGenerationTokens), not the provider usage; with enrichTokens the input is estimated as prompt length / 4.',
    embeddings: 'not instrumented: @traceloop/instrumentation-openai 0.27.0 wraps Chat.Completions.create, Completions.create, Responses.create and Images.generate/edit/createVariation only (dist/index.js), so no span.',
    'audio-speech': 'not instrumented: @traceloop/instrumentation-openai 0.27.0 wraps Chat.Completions.create, Completions.create, Responses.create and Images.generate/edit/createVariation only (dist/index.js), so no span.',
    'audio-transcription': 'not instrumented: @traceloop/instrumentation-openai 0.27.0 wraps Chat.Completions.create, Completions.create, Responses.create and Images.generate/edit/createVariation only (dist/index.js), so no span.',
    moderations: 'not instrumented: @traceloop/instrumentation-openai 0.27.0 wraps Chat.Completions.create, Completions.create, Responses.create and Images.generate/edit/createVariation only (dist/index.js), so no span.',
  },
});

await cap.scenario('anthropic-messages-count-tokens', async () => {
  await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', system: anthropicReq.system, messages: anthropicReq.messages });
}, { primary: '@traceloop/instrumentation-anthropic', notes: 'messages.countTokens: the API answers {input_tokens: 2600} (what messages.create would report as input, cache included) and no usage; counting tokens is free (not billable). Expected: not instrumented: @traceloop/instrumentation-anthropic 0.27.0 wraps Completions.create, Messages.create and Beta.Messages.create only (dist/index.js).' });

await cap.close();
