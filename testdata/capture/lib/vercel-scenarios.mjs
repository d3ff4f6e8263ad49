// Vercel AI SDK scenarios shared by the ai v5 / v6 / v7 capture scripts. The
// caller passes its own `ai` module and provider factories (each major version
// lives in its own npm project) plus the version-specific telemetry options.

const SYSTEM = 'You are a helpful assistant.';
const PROMPT = 'What is the capital of France?';

/**
 * @param {object} o
 * @param {object} o.cap            harness from createCapture()
 * @param {object} o.ai             the `ai` module
 * @param {Function} o.createOpenAI
 * @param {Function} o.createAnthropic
 * @param {(functionId: string) => object} o.telemetry  call options that enable telemetry
 * @param {object} [o.systemOption] how to pass the system prompt ({system} or {instructions})
 * @param {Set<string>} [o.only]    run only these scenarios
 * @param {string} o.note           appended to every sidecar note
 */
export async function runVercelScenarios({ cap, ai, createOpenAI, createAnthropic, telemetry, systemKey = 'system', only, note = '' }) {
  const { generateText, streamText, generateObject, streamObject, embed, embedMany, tool, jsonSchema, stepCountIs } = ai;
  const openai = createOpenAI({ baseURL: cap.openaiBaseURL, apiKey: 'test' });
  const anthropic = createAnthropic({ baseURL: `${cap.anthropicBaseURL}/v1`, apiKey: 'test' });
  const want = (n) => !only || only.has(n);
  const sys = { [systemKey]: SYSTEM };
  const n = (s) => (note ? `${s} ${note}` : s);

  const weatherTool = tool({
    description: 'Get the current weather for a city',
    inputSchema: jsonSchema({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    }),
    execute: async ({ city }) => ({ city, temperatureC: 21, condition: 'sunny' }),
  });

  const anthropicMessages = [
    {
      role: 'user',
      content: PROMPT,
      providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
    },
  ];

  if (want('openai-generatetext')) {
    await cap.scenario('openai-generatetext', async () => {
      await generateText({ model: openai('gpt-4o-mini'), ...sys, prompt: PROMPT, ...telemetry('capture-generate') });
    }, { notes: n('generateText, single step, openai(model) = OpenAI Responses API (/v1/responses). Provider: input_tokens 1200 incl. 200 cached, output 300.') });
  }

  if (want('openai-chat-generatetext')) {
    await cap.scenario('openai-chat-generatetext', async () => {
      await generateText({ model: openai.chat('gpt-4o-mini'), ...sys, prompt: PROMPT, ...telemetry('capture-generate-chat') });
    }, { notes: n('generateText, single step, openai.chat(model) = Chat Completions API. Provider: prompt_tokens 1200 incl. 200 cached, completion 300.') });
  }

  if (want('openai-generatetext-tool-2steps')) {
    await cap.scenario('openai-generatetext-tool-2steps', async () => {
      await generateText({
        model: openai('gpt-4o-mini'),
        ...sys,
        prompt: 'What is the weather in Paris?',
        tools: { get_weather: weatherTool },
        stopWhen: stepCountIs(2),
        ...telemetry('capture-tool-loop'),
      });
    }, { notes: n('generateText with one tool: step 1 returns a function call (usage 1200/200 cached/300), the tool runs, step 2 returns text (usage 1350/1152 cached/40). Root span should aggregate: input 2550, cached 1352, output 340.') });
  }

  if (want('openai-streamtext')) {
    await cap.scenario('openai-streamtext', async () => {
      const result = streamText({ model: openai('gpt-4o-mini'), ...sys, prompt: PROMPT, ...telemetry('capture-stream') });
      for await (const _ of result.textStream) { /* drain */ }
      await result.usage;
    }, { notes: n('streamText over the OpenAI Responses API (SSE; usage in response.completed).') });
  }

  if (want('anthropic-generatetext-cache')) {
    await cap.scenario('anthropic-generatetext-cache', async () => {
      await generateText({ model: anthropic('claude-sonnet-4-5'), ...sys, messages: anthropicMessages, ...telemetry('capture-anthropic') });
    }, { notes: n('generateText via @ai-sdk/anthropic. Provider: input_tokens 100 (uncached only), cache_read 2000, cache_creation 500, output 250.') });
  }

  if (want('anthropic-streamtext-cache')) {
    await cap.scenario('anthropic-streamtext-cache', async () => {
      const result = streamText({ model: anthropic('claude-sonnet-4-5'), ...sys, messages: anthropicMessages, ...telemetry('capture-anthropic-stream') });
      for await (const _ of result.textStream) { /* drain */ }
      await result.usage;
    }, { notes: n('streamText via @ai-sdk/anthropic (message_start + cumulative message_delta usage).') });
  }

  const capitalSchema = jsonSchema({
    type: 'object',
    properties: { capital: { type: 'string' }, country: { type: 'string' } },
    required: ['capital', 'country'],
    additionalProperties: false,
  });

  if (want('openai-generateobject') && generateObject) {
    await cap.scenario('openai-generateobject', async () => {
      await generateObject({ model: openai('gpt-4o-mini'), schema: capitalSchema, ...sys, prompt: PROMPT, ...telemetry('capture-object') });
    }, { notes: n('generateObject over the OpenAI Responses API (text.format json_schema); the mock answers with a JSON object. Provider: input_tokens 1200 incl. 200 cached, output 300.') });
  }

  if (want('openai-streamobject') && streamObject) {
    await cap.scenario('openai-streamobject', async () => {
      const result = streamObject({ model: openai('gpt-4o-mini'), schema: capitalSchema, ...sys, prompt: PROMPT, ...telemetry('capture-object-stream') });
      for await (const _ of result.partialObjectStream) { /* drain */ }
      await result.object;
      await result.usage;
    }, { notes: n('streamObject over the OpenAI Responses API (SSE; usage in response.completed). Provider: input_tokens 1200 incl. 200 cached, output 300.') });
  }

  if (want('openai-embed') && embed) {
    await cap.scenario('openai-embed', async () => {
      await embed({ model: openai.embedding('text-embedding-3-small'), value: 'The quick brown fox jumps over the lazy dog', ...telemetry('capture-embed') });
    }, { notes: n('embed with openai.embedding(text-embedding-3-small): one /v1/embeddings call, usage prompt_tokens 8.') });
  }

  if (want('openai-embedmany') && embedMany) {
    await cap.scenario('openai-embedmany', async () => {
      await embedMany({ model: openai.embedding('text-embedding-3-small'), values: ['sunny day at the beach', 'rainy afternoon in the city'], ...telemetry('capture-embed-many') });
    }, { notes: n('embedMany with two values: one /v1/embeddings call (both values in one request), usage prompt_tokens 8.') });
  }

  if (want('openai-generatetext-error-500')) {
    await cap.scenario('openai-generatetext-error-500', async () => {
      await generateText({
        model: openai('gpt-4o-mini'),
        ...sys,
        prompt: PROMPT,
        headers: { 'x-mock-fail': '500' },
        maxRetries: 0,
        ...telemetry('capture-error'),
      });
    }, { notes: n('Provider answers HTTP 500; maxRetries: 0.') });
  }
}
