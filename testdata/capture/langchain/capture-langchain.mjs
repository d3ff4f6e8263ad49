// LangChain JS (@langchain/core 1.x with @langchain/openai and
// @langchain/anthropic) traced by a LangChain OpenTelemetry instrumentation:
//   openinference -> @arizeai/openinference-instrumentation-langchain
//   traceloop     -> @traceloop/instrumentation-langchain
// Both hook LangChain's CallbackManager (patched here with their documented
// manuallyInstrument(), as ESM imports are not seen by require-in-the-middle),
// so their spans come from LangChain's run callbacks, not from the provider
// SDKs. Own npm project because @langchain/openai 1.x needs openai 7.x and
// @langchain/anthropic pins @anthropic-ai/sdk 0.122 (no built-in tracing).
// Usage: node capture-langchain.mjs openinference|traceloop
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { createCapture, pkgVersion } from '../lib/harness.mjs';

const mode = process.argv[2] ?? 'openinference';
const here = path.dirname(fileURLToPath(import.meta.url));
const instrPkg = {
  openinference: '@arizeai/openinference-instrumentation-langchain',
  traceloop: '@traceloop/instrumentation-langchain',
}[mode];
if (!instrPkg) throw new Error(`unknown mode ${mode}`);
const packages = {
  [instrPkg]: pkgVersion(instrPkg, here),
  '@langchain/core': pkgVersion('@langchain/core', here),
  '@langchain/openai': pkgVersion('@langchain/openai', here),
  '@langchain/anthropic': pkgVersion('@langchain/anthropic', here),
  'openai (used by @langchain/openai)': pkgVersion('openai', here),
  '@anthropic-ai/sdk (used by @langchain/anthropic)': pkgVersion('@anthropic-ai/sdk', here),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: `langchain-${mode}`,
  serviceName: `capture-langchain-${mode}`,
  packages,
  primaryPackage: instrPkg,
});

if (mode === 'openinference') {
  const { LangChainInstrumentation } = await import('@arizeai/openinference-instrumentation-langchain');
  new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
} else {
  const { LangChainInstrumentation } = await import('@traceloop/instrumentation-langchain');
  new LangChainInstrumentation({ traceContent: true }).manuallyInstrument({ callbackManagerModule: CallbackManagerModule });
}

const { ChatOpenAI, OpenAIEmbeddings } = await import('@langchain/openai');
const { ChatAnthropic } = await import('@langchain/anthropic');
const { HumanMessage, SystemMessage } = await import('@langchain/core/messages');

const openaiCfg = { apiKey: 'test', configuration: { baseURL: cap.openaiBaseURL }, maxRetries: 0 };
const messages = [new SystemMessage('You are a helpful assistant.'), new HumanMessage('What is the capital of France?')];
const anthropicMessages = [
  new SystemMessage({ content: [{ type: 'text', text: 'You are a helpful assistant. <long cached context>', cache_control: { type: 'ephemeral' } }] }),
  new HumanMessage('What is the capital of France?'),
];
const anthropicCfg = { model: 'claude-sonnet-4-5', apiKey: 'test', anthropicApiUrl: cap.anthropicBaseURL, maxTokens: 1024, maxRetries: 0 };

await cap.scenario('openai-chat-cached', async () => {
  await new ChatOpenAI({ model: 'gpt-4o-mini', ...openaiCfg }).invoke(messages);
}, { notes: 'ChatOpenAI.invoke (Chat Completions), 200 of 1200 prompt tokens cached, 300 out.' });

await cap.scenario('openai-chat-stream', async () => {
  const stream = await new ChatOpenAI({ model: 'gpt-4o-mini', ...openaiCfg }).stream(messages);
  for await (const _ of stream) { /* drain */ }
}, { notes: 'ChatOpenAI.stream (Chat Completions SSE); @langchain/openai sets stream_options.include_usage (streamUsage defaults to true), so the provider sends usage 1200 (200 cached) / 300.' });

await cap.scenario('openai-responses-cached', async () => {
  await new ChatOpenAI({ model: 'gpt-4o-mini', useResponsesApi: true, ...openaiCfg }).invoke(messages);
}, { notes: 'ChatOpenAI({useResponsesApi: true}).invoke (Responses API), 200 of 1200 input tokens cached, 300 out.' });

await cap.scenario('openai-embeddings', async () => {
  await new OpenAIEmbeddings({ model: 'text-embedding-3-small', ...openaiCfg }).embedQuery('The quick brown fox jumps over the lazy dog');
}, { notes: 'OpenAIEmbeddings.embedQuery: one /v1/embeddings call, usage prompt_tokens 8. LangChain embeddings do not go through the callback manager.' });

await cap.scenario('anthropic-messages-cache', async () => {
  await new ChatAnthropic(anthropicCfg).invoke(anthropicMessages);
}, { notes: 'ChatAnthropic.invoke. Anthropic input_tokens (100) EXCLUDES cache_read (2000) and cache_creation (500); output 250.' });

await cap.scenario('anthropic-messages-cache-stream', async () => {
  const stream = await new ChatAnthropic(anthropicCfg).stream(anthropicMessages);
  for await (const _ of stream) { /* drain */ }
}, { notes: 'ChatAnthropic.stream (message_start usage with output_tokens=1, message_delta cumulative output_tokens=250).' });

await cap.close();
