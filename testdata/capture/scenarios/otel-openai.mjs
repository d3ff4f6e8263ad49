// @opentelemetry/instrumentation-openai (OpenTelemetry JS contrib) + openai SDK.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runOpenAIOperations } from '../lib/openai-operations.mjs';

const packages = {
  '@opentelemetry/instrumentation-openai': pkgVersion('@opentelemetry/instrumentation-openai'),
  openai: pkgVersion('openai'),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: 'otel-openai',
  serviceName: 'capture-otel-openai',
  packages,
  primaryPackage: '@opentelemetry/instrumentation-openai',
});

// Register before the SDK is loaded so require-in-the-middle patches it.
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ captureMessageContent: false })] });
const require = createRequire(import.meta.url);
const openaiModule = require('openai');
const { OpenAI } = openaiModule;

const client = new OpenAI({ baseURL: cap.openaiBaseURL, apiKey: 'test' });
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the capital of France?' },
];

await cap.scenario('chat-cached', async () => {
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 512, temperature: 0.2 });
}, { notes: 'Non-streaming chat.completions; provider reports 200 cached prompt tokens (OpenAI prompt_tokens includes cached_tokens).' });

await cap.scenario('chat-stream-include-usage', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'Streaming chat.completions with stream_options.include_usage=true; usage arrives in the final chunk (choices: []).' });

await cap.scenario('chat-stream-no-include-usage', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'Streaming chat.completions WITHOUT include_usage: the provider sends no usage at all (provider_usage_returned is null).' });

await cap.scenario('embeddings', async () => {
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox jumps over the lazy dog' });
}, { notes: 'embeddings.create; the SDK requests encoding_format=base64 by default. Embeddings usage has prompt_tokens/total_tokens only.' });

await cap.scenario('chat-error-500', async () => {
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-mock-fail': '500' }, maxRetries: 0 });
}, { notes: 'Provider answers HTTP 500 (maxRetries: 0, so exactly one HTTP attempt); no usage returned.' });

await cap.scenario('chat-unknown-model', async () => {
  await client.chat.completions.create({ model: 'acme-llm-9000', messages });
}, { notes: 'Model name not in any price list ("acme-llm-9000"); response model equals request model.' });

await cap.scenario('responses-cached', async () => {
  await client.responses.create({ model: 'gpt-4o-mini', input: 'What is the capital of France?', instructions: 'You are a helpful assistant.' });
}, { notes: 'Non-streaming Responses API (responses.create); usage uses input_tokens/input_tokens_details.cached_tokens.' });

await cap.scenario('responses-stream', async () => {
  const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'What is the capital of France?', stream: true });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'Streaming Responses API (responses.create({stream:true})); usage arrives in the response.completed event (1200 incl. 200 cached, 300 out).' });

await runOpenAIOperations({
  cap,
  openai: openaiModule,
  client,
  prefix: '',
  ops: ['images', 'audio-speech', 'audio-transcription', 'moderations'],
  expect: {
    images: 'not instrumented: @opentelemetry/instrumentation-openai 0.22.0 wraps only Chat.Completions.create, Embeddings.create and Responses.create (dist/instrumentation.cjs), so no span.',
    'audio-speech': 'not instrumented: @opentelemetry/instrumentation-openai 0.22.0 wraps only Chat.Completions.create, Embeddings.create and Responses.create (dist/instrumentation.cjs), so no span.',
    'audio-transcription': 'not instrumented: @opentelemetry/instrumentation-openai 0.22.0 wraps only Chat.Completions.create, Embeddings.create and Responses.create (dist/instrumentation.cjs), so no span.',
    moderations: 'not instrumented: @opentelemetry/instrumentation-openai 0.22.0 wraps only Chat.Completions.create, Embeddings.create and Responses.create (dist/instrumentation.cjs), so no span.',
  },
});

await cap.close();
