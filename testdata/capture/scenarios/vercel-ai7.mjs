// Vercel AI SDK v7 (`ai` 7.x). In v7 the core no longer emits OpenTelemetry
// spans by itself: spans come from a telemetry integration in @ai-sdk/otel,
// registered with registerTelemetry(). Two integrations exist:
//   legacy -> LegacyOpenTelemetry(): the v4-v6 style ai.* spans
//             (ai.generateText / ai.generateText.doGenerate / ai.toolCall)
//   otel   -> OpenTelemetry(): GenAI semconv spans
//             (invoke_agent / step / chat / execute_tool)
// Usage: node scenarios/vercel-ai7.mjs legacy|otel|otel-supplemental
import { generateText, streamText, generateObject, streamObject, embed, embedMany, tool, jsonSchema, stepCountIs, registerTelemetry } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { OpenTelemetry, LegacyOpenTelemetry } from '@ai-sdk/otel';
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runVercelScenarios } from '../lib/vercel-scenarios.mjs';

const mode = process.argv[2] ?? 'legacy';
const packages = {
  ai: pkgVersion('ai'),
  '@ai-sdk/otel': pkgVersion('@ai-sdk/otel'),
  '@ai-sdk/openai': pkgVersion('@ai-sdk/openai'),
  '@ai-sdk/anthropic': pkgVersion('@ai-sdk/anthropic'),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: `vercel-ai7-${mode}`,
  serviceName: `capture-vercel-ai7-${mode}`,
  packages,
  primaryPackage: 'ai',
});

let integration;
let only;
if (mode === 'legacy') integration = new LegacyOpenTelemetry();
else if (mode === 'otel') integration = new OpenTelemetry();
else if (mode === 'otel-supplemental') {
  // opt-in supplemental attributes (detailed usage, provider metadata, runtime context)
  integration = new OpenTelemetry({ usage: true, providerMetadata: true, runtimeContext: true });
  only = new Set(['openai-generatetext', 'anthropic-generatetext-cache', 'openai-generatetext-tool-2steps']);
} else throw new Error(`unknown mode ${mode}`);
registerTelemetry(integration);

await runVercelScenarios({
  cap,
  ai: { generateText, streamText, generateObject, streamObject, embed, embedMany, tool, jsonSchema, stepCountIs },
  createOpenAI,
  createAnthropic,
  systemKey: 'instructions',
  only,
  // v7: `metadata` is gone; runtimeContext + telemetry.includeRuntimeContext replace it
  telemetry: (functionId) => ({
    runtimeContext: { userId: 'u-123', team: 'search' },
    telemetry: { isEnabled: true, functionId, includeRuntimeContext: { userId: true, team: true } },
  }),
  note: `[ai v7 + @ai-sdk/otel ${integration.constructor.name}${mode === 'otel-supplemental' ? '({usage,providerMetadata,runtimeContext: true})' : '()'}]`,
});

await cap.close();
