// OpenInference JS (Arize): @arizeai/openinference-instrumentation-openai and
// @arizeai/openinference-instrumentation-anthropic with our own tracer provider.
//
// @anthropic-ai/sdk >= 0.13x also emits its OWN OpenTelemetry span by default;
// it is switched off here (openTelemetry: false) so these fixtures show
// OpenInference's spans alone (see dual-anthropic-sdk-openinference-*.json).
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runOpenAIOperations } from '../lib/openai-operations.mjs';

const packages = {
  '@arizeai/openinference-instrumentation-openai': pkgVersion('@arizeai/openinference-instrumentation-openai'),
  '@arizeai/openinference-instrumentation-anthropic': pkgVersion('@arizeai/openinference-instrumentation-anthropic'),
  '@arizeai/openinference-semantic-conventions': pkgVersion('@arizeai/openinference-semantic-conventions'),
  openai: pkgVersion('openai'),
  '@anthropic-ai/sdk': pkgVersion('@anthropic-ai/sdk'),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: 'openinference',
  serviceName: 'capture-openinference',
  packages,
  primaryPackage: '@arizeai/openinference-instrumentation-openai',
});

registerInstrumentations({ instrumentations: [new OpenAIInstrumentation(), new AnthropicInstrumentation()] });
const require = createRequire(import.meta.url);
const openaiModule = require('openai');
const { OpenAI } = openaiModule;
const { Anthropic } = require('@anthropic-ai/sdk');

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
const ANTH = '@arizeai/openinference-instrumentation-anthropic';

await cap.scenario('openai-chat-cached', async () => {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 512 });
}, { notes: 'openai chat.completions (non-streaming), 200 of 1200 prompt tokens cached.' });

await cap.scenario('openai-chat-stream-include-usage', async () => {
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'openai streaming with include_usage=true.' });

await cap.scenario('openai-responses-cached', async () => {
  await openai.responses.create({ model: 'gpt-4o-mini', input: 'What is the capital of France?', instructions: 'You are a helpful assistant.' });
}, { notes: 'openai responses.create (non-streaming), input_tokens_details.cached_tokens=200.' });

await cap.scenario('anthropic-messages-cache', async () => {
  await anthropic.messages.create(anthropicReq);
}, { primary: ANTH, notes: 'anthropic messages.create (non-streaming). Anthropic input_tokens (100) EXCLUDES cache_read (2000) and cache_creation (500).' });

await cap.scenario('anthropic-messages-cache-stream', async () => {
  const stream = await anthropic.messages.create({ ...anthropicReq, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { primary: ANTH, notes: 'anthropic messages.create({stream:true}); message_start usage (output_tokens=1) + message_delta cumulative usage.' });

await runOpenAIOperations({
  cap,
  openai: openaiModule,
  client: openai,
  ops: ['responses-stream', 'embeddings', 'images', 'audio-speech', 'audio-transcription', 'moderations'],
  expect: {
    images: 'not instrumented: @arizeai/openinference-instrumentation-openai 4.2.7 wraps Chat.Completions.create, Completions.create, Embeddings.create and Responses.create only (dist/src/instrumentation.js), so no span.',
    'audio-speech': 'not instrumented: @arizeai/openinference-instrumentation-openai 4.2.7 wraps Chat.Completions.create, Completions.create, Embeddings.create and Responses.create only (dist/src/instrumentation.js), so no span.',
    'audio-transcription': 'not instrumented: @arizeai/openinference-instrumentation-openai 4.2.7 wraps Chat.Completions.create, Completions.create, Embeddings.create and Responses.create only (dist/src/instrumentation.js), so no span.',
    moderations: 'not instrumented: @arizeai/openinference-instrumentation-openai 4.2.7 wraps Chat.Completions.create, Completions.create, Embeddings.create and Responses.create only (dist/src/instrumentation.js), so no span.',
  },
});

await cap.scenario('anthropic-messages-count-tokens', async () => {
  await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', system: anthropicReq.system, messages: anthropicReq.messages });
}, { primary: ANTH, notes: 'messages.countTokens: the API answers {input_tokens: 2600} (what messages.create would report as input, cache included) and no usage; counting tokens is free (not billable). Expected: not instrumented: @arizeai/openinference-instrumentation-anthropic 0.2.8 wraps Messages.create (and beta Messages.create) only (dist/src/instrumentation.js).' });

await cap.close();
