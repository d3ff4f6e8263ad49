// Two instrumentations on ONE call, each in its own process run:
//   node scenarios/dual.mjs otel-openinference-openai
//       @opentelemetry/instrumentation-openai + @arizeai/openinference-instrumentation-openai
//   node scenarios/dual.mjs otel-traceloop-openai
//       @opentelemetry/instrumentation-openai + @traceloop/instrumentation-openai
//   node scenarios/dual.mjs anthropic-sdk-openinference
//       @anthropic-ai/sdk native span (default on) + @arizeai/openinference-instrumentation-anthropic
// Instrumentations are registered in the order listed; each wraps the same
// SDK method, so the one registered LAST is the outer (parent) span.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation as OtelOpenAI } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as OIOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { AnthropicInstrumentation as OIAnthropic } from '@arizeai/openinference-instrumentation-anthropic';
import { OpenAIInstrumentation as TLOpenAI } from '@traceloop/instrumentation-openai';
import { createCapture, pkgVersion } from '../lib/harness.mjs';

const mode = process.argv[2];
const common = {
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const require = createRequire(import.meta.url);
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the capital of France?' },
];

if (mode === 'otel-openinference-openai' || mode === 'otel-traceloop-openai') {
  const second = mode === 'otel-openinference-openai' ? '@arizeai/openinference-instrumentation-openai' : '@traceloop/instrumentation-openai';
  const packages = {
    '@opentelemetry/instrumentation-openai': pkgVersion('@opentelemetry/instrumentation-openai'),
    [second]: pkgVersion(second),
    openai: pkgVersion('openai'),
    ...common,
  };
  const cap = await createCapture({ library: `dual-${mode}`, serviceName: `capture-dual-${mode}`, packages, primaryPackage: '@opentelemetry/instrumentation-openai' });
  registerInstrumentations({
    instrumentations: [
      new OtelOpenAI(),
      mode === 'otel-openinference-openai' ? new OIOpenAI() : new TLOpenAI({ enrichTokens: true, traceContent: true }),
    ],
  });
  const { OpenAI } = require('openai');
  const openai = new OpenAI({ baseURL: cap.openaiBaseURL, apiKey: 'test' });
  await cap.scenario('chat', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 512 });
  }, { notes: `ONE chat.completions call instrumented by both @opentelemetry/instrumentation-openai and ${second} (registered in that order): two LLM spans for one provider call; usage must be counted once.` });
  await cap.close();
} else if (mode === 'anthropic-sdk-openinference') {
  const packages = {
    '@anthropic-ai/sdk': pkgVersion('@anthropic-ai/sdk'),
    '@arizeai/openinference-instrumentation-anthropic': pkgVersion('@arizeai/openinference-instrumentation-anthropic'),
    ...common,
  };
  const cap = await createCapture({ library: `dual-${mode}`, serviceName: `capture-dual-${mode}`, packages, primaryPackage: '@arizeai/openinference-instrumentation-anthropic' });
  registerInstrumentations({ instrumentations: [new OIAnthropic()] });
  const { Anthropic } = require('@anthropic-ai/sdk');
  const anthropic = new Anthropic({ baseURL: cap.anthropicBaseURL, apiKey: 'test' }); // SDK-native tracing left at its default (on)
  const anthropicReq = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are a helpful assistant. <long cached context>', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
  };
  await cap.scenario('messages-cache', async () => {
    await anthropic.messages.create(anthropicReq);
  }, { notes: 'ONE messages.create call: OpenInference "Anthropic Messages" span plus the SDK-native "anthropic.messages.create" span (default configuration of both). Usage must be counted once.' });
  await cap.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
