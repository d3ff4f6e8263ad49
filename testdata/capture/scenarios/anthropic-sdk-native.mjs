// @anthropic-ai/sdk's OWN OpenTelemetry tracing (no instrumentation library).
// Since 0.13x the SDK starts a CLIENT span per API call (scope
// com.anthropic.sdk.typescript) whenever a global tracer provider is
// registered; it is ON by default (ANTHROPIC_OPEN_TELEMETRY=false or the
// client option openTelemetry: false turn it off).
import { createRequire } from 'node:module';
import { createCapture, pkgVersion } from '../lib/harness.mjs';

const packages = {
  '@anthropic-ai/sdk': pkgVersion('@anthropic-ai/sdk'),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: 'anthropic-sdk',
  serviceName: 'capture-anthropic-sdk',
  packages,
  primaryPackage: '@anthropic-ai/sdk',
});
const require = createRequire(import.meta.url);
const { Anthropic } = require('@anthropic-ai/sdk');
const anthropic = new Anthropic({ baseURL: cap.anthropicBaseURL, apiKey: 'test' }); // default openTelemetry settings
const anthropicReq = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are a helpful assistant. <long cached context>', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};

await cap.scenario('messages-cache', async () => {
  await anthropic.messages.create(anthropicReq);
}, { notes: 'SDK-native span, non-streaming. Anthropic input_tokens (100) EXCLUDES cache_read (2000) and cache_creation (500).' });

await cap.scenario('messages-cache-stream', async () => {
  const stream = await anthropic.messages.create({ ...anthropicReq, stream: true });
  for await (const _ of stream) { /* drain */ }
}, { notes: 'SDK-native span, messages.create({stream:true}).' });

await cap.scenario('messages-stream-helper', async () => {
  const stream = anthropic.messages.stream(anthropicReq);
  await stream.finalMessage();
}, { notes: 'SDK-native span(s) for the messages.stream() helper.' });

await cap.scenario('messages-error-500', async () => {
  await anthropic.messages.create(anthropicReq, { headers: { 'x-mock-fail': '500' }, maxRetries: 0 });
}, { notes: 'Provider answers HTTP 500 (maxRetries: 0).' });

await cap.scenario('messages-count-tokens', async () => {
  await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', system: anthropicReq.system, messages: anthropicReq.messages });
}, { notes: 'messages.countTokens: the API answers {input_tokens: 2600} (what messages.create would report as input, cache included) and no usage; counting tokens is free (not billable). The SDK has a span for it: anthropic.messages.count_tokens with anthropic.message.count_tokens.input_tokens (internal/tracing.js).' });

await cap.close();
