// Vercel AI SDK v6: the core emits ai.* OpenTelemetry spans itself when
// experimental_telemetry.isEnabled is true (no @ai-sdk/otel in this major).
// This file lives in its own npm project so `ai` resolves to the v6 install
// here, while the harness (../lib) uses the tracer SDK from the parent project.
import { generateText, streamText, generateObject, streamObject, embed, embedMany, tool, jsonSchema, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createCapture, pkgVersion } from '../lib/harness.mjs';
import { runVercelScenarios } from '../lib/vercel-scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = {
  ai: pkgVersion('ai', here),
  '@ai-sdk/openai': pkgVersion('@ai-sdk/openai', here),
  '@ai-sdk/anthropic': pkgVersion('@ai-sdk/anthropic', here),
  '@opentelemetry/api (used by ai)': pkgVersion('@opentelemetry/api', here),
  '@opentelemetry/sdk-trace': pkgVersion('@opentelemetry/sdk-trace'),
  '@opentelemetry/exporter-trace-otlp-http': pkgVersion('@opentelemetry/exporter-trace-otlp-http'),
};
const cap = await createCapture({
  library: 'vercel-ai6',
  serviceName: 'capture-vercel-ai6',
  packages,
  primaryPackage: 'ai',
});

await runVercelScenarios({
  cap,
  ai: { generateText, streamText, generateObject, streamObject, embed, embedMany, tool, jsonSchema, stepCountIs },
  createOpenAI,
  createAnthropic,
  systemKey: 'system',
  telemetry: (functionId) => ({
    experimental_telemetry: { isEnabled: true, functionId, metadata: { userId: 'u-123', team: 'search' } },
  }),
  note: '[ai v6, experimental_telemetry]',
});

await cap.close();
