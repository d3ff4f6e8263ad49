// Mock LLM provider used by the trace-capture scripts.
//
// Emulates just enough of the OpenAI and Anthropic HTTP APIs for the real,
// unmodified SDKs (openai, @anthropic-ai/sdk, @ai-sdk/openai,
// @ai-sdk/anthropic) to work against it:
//
//   OpenAI    POST /v1/chat/completions  (JSON and SSE; usage chunk only when
//                                        stream_options.include_usage is true)
//             POST /v1/responses         (JSON and SSE; used by @ai-sdk/openai)
//             POST /v1/embeddings        (float and base64 encodings)
//             POST /v1/images/generations (gpt-image-1: b64_json + token usage)
//             POST /v1/audio/speech      (binary audio; the API returns no usage)
//             POST /v1/audio/transcriptions (multipart; gpt-4o-*-transcribe:
//                                        token usage, whisper-1: duration usage)
//             POST /v1/moderations       (free; the API returns no usage)
//   Anthropic POST /v1/messages          (JSON and SSE with message_start /
//                                        message_delta usage, as the real API)
//             POST /v1/messages/count_tokens (returns {input_tokens}; no usage:
//                                        counting is not billed)
//
// When a chat/responses request asks for a JSON schema (response_format /
// text.format of type json_schema or json_object, as generateObject does), the
// answer text is the JSON object JSON_TEXT instead of the plain sentence.
//
// The token usage returned is fixed per request model (USAGE below), so every
// captured fixture has a known "provider truth" that is written next to it in
// a .usage.json sidecar. A request carrying the header `x-mock-fail: <status>`
// is answered with that HTTP status and a provider-shaped error body.
//
// Usage: `import { startMockProvider } from './mock-provider.mjs'` (the capture
// scripts do this), or run `node mock-provider.mjs` to start it standalone and
// print its base URL.

import http from 'node:http';
import { pathToFileURL } from 'node:url';

// Fixed creation timestamp so regenerated fixtures differ as little as possible.
const CREATED = 1767225600; // 2026-01-01T00:00:00Z

// ---------------------------------------------------------------------------
// Usage table. Keyed by the model name in the request. `response_model` is the
// dated id the provider reports back (request-model vs response-model).
// `after_tool` is used instead when the request already contains a tool result
// (second step of a tool-calling loop), so multi-step fixtures have distinct
// per-step numbers.
// ---------------------------------------------------------------------------
export const USAGE = {
  'gpt-4o-mini': {
    provider: 'openai',
    response_model: 'gpt-4o-mini-2024-07-18',
    // chat.completions usage object, exactly as returned
    chat: {
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 200, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    // /v1/responses usage object, exactly as returned
    responses: {
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 200 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1500,
    },
    after_tool: {
      chat: {
        prompt_tokens: 1350,
        completion_tokens: 40,
        total_tokens: 1390,
        prompt_tokens_details: { cached_tokens: 1152, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      responses: {
        input_tokens: 1350,
        input_tokens_details: { cached_tokens: 1152 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 1390,
      },
    },
  },
  'acme-llm-9000': {
    provider: 'openai',
    response_model: 'acme-llm-9000',
    chat: {
      prompt_tokens: 111,
      completion_tokens: 22,
      total_tokens: 133,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    responses: {
      input_tokens: 111,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 22,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 133,
    },
  },
  'text-embedding-3-small': {
    provider: 'openai',
    response_model: 'text-embedding-3-small',
    embeddings: { prompt_tokens: 8, total_tokens: 8 },
  },
  // Images API (gpt-image-1), usage as documented for image generation:
  // input_tokens (text + image), input_tokens_details, output_tokens (image).
  // 1024x1024 at quality "medium" is 1056 image output tokens.
  'gpt-image-1': {
    provider: 'openai',
    response_model: 'gpt-image-1',
    images: {
      total_tokens: 1076,
      input_tokens: 20,
      output_tokens: 1056,
      input_tokens_details: { text_tokens: 20, image_tokens: 0 },
    },
  },
  // Transcriptions API, gpt-4o-mini-transcribe: token usage
  // ({type: "tokens", input_tokens, input_token_details: {text_tokens,
  // audio_tokens}, output_tokens, total_tokens}), as documented.
  'gpt-4o-mini-transcribe': {
    provider: 'openai',
    response_model: 'gpt-4o-mini-transcribe',
    transcriptions: {
      type: 'tokens',
      input_tokens: 140,
      input_token_details: { text_tokens: 0, audio_tokens: 140 },
      output_tokens: 12,
      total_tokens: 152,
    },
  },
  // whisper-1 is billed by duration: usage {type: "duration", seconds}.
  'whisper-1': {
    provider: 'openai',
    response_model: 'whisper-1',
    transcriptions: { type: 'duration', seconds: 7 },
  },
  'claude-sonnet-4-5': {
    provider: 'anthropic',
    response_model: 'claude-sonnet-4-5-20250929',
    messages: {
      input_tokens: 100,
      cache_creation_input_tokens: 500,
      cache_read_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 0 },
      output_tokens: 250,
      service_tier: 'standard',
    },
  },
};
USAGE['claude-sonnet-4-5-20250929'] = USAGE['claude-sonnet-4-5'];

const TEXT = 'The capital of France is Paris.';
export const JSON_TEXT = '{"capital":"Paris","country":"France"}';
// Models of the endpoints that return no usage (the sidecar records usage: null).
const SPEECH_MODELS = { 'gpt-4o-mini-tts': 'gpt-4o-mini-tts', 'tts-1': 'tts-1' };
const MODERATION_MODELS = { 'omni-moderation-latest': 'omni-moderation-2024-09-26', 'text-moderation-latest': 'text-moderation-007' };
// count_tokens answer: what messages.create would report as input, cache included.
const COUNT_TOKENS = { 'claude-sonnet-4-5': 2600, 'claude-sonnet-4-5-20250929': 2600 };

/** Reads the text fields of a multipart/form-data body (file parts are skipped). */
function multipartFields(raw, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) return {};
  const boundary = `--${m[1] ?? m[2]}`;
  const out = {};
  for (const part of raw.split(boundary)) {
    const h = /content-disposition:[^\r\n]*name="([^"]+)"(;\s*filename="[^"]*")?/i.exec(part);
    if (!h || h[2]) continue;
    const idx = part.indexOf('\r\n\r\n');
    if (idx < 0) continue;
    out[h[1]] = part.slice(idx + 4).replace(/\r\n$/, '');
  }
  return out;
}

const wantsJSON = (body) =>
  ['json_schema', 'json_object'].includes(body.response_format?.type) ||
  ['json_schema', 'json_object'].includes(body.text?.format?.type);
const TOOL_ARGS = { city: 'Paris' };

function usageFor(model, kind, afterTool) {
  const entry = USAGE[model];
  if (!entry) {
    throw new Error(`mock-provider: no usage configured for model ${JSON.stringify(model)}`);
  }
  const u = afterTool && entry.after_tool?.[kind] ? entry.after_tool[kind] : entry[kind];
  if (!u) throw new Error(`mock-provider: no ${kind} usage for model ${model}`);
  return { usage: structuredClone(u), responseModel: entry.response_model };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJSON(res, status, obj, extraHeaders = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

function startSSE(res, extraHeaders = {}) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...extraHeaders,
  });
}

const sseData = (res, obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
const sseEvent = (res, event, obj) => res.write(`event: ${event}\ndata: ${JSON.stringify(obj)}\n\n`);

function chunksOf(text) {
  // split into a few word-ish chunks, keeping whitespace
  return text.match(/\S+\s*/g) ?? [text];
}

export async function startMockProvider({ port = 0, host = '127.0.0.1', log = false } = {}) {
  const calls = []; // one entry per request handled
  let seq = 0;

  const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      body = multipartFields(raw, req.headers['content-type']);
    }
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const n = ++seq;
    const id4 = String(n).padStart(4, '0');
    const call = {
      method: req.method,
      path,
      request_model: body.model ?? null,
      stream: !!body.stream,
      status: 200,
    };
    calls.push(call);
    if (log) console.error(`[mock] ${req.method} ${path} model=${body.model} stream=${!!body.stream}`);

    try {
      const fail = req.headers['x-mock-fail'];
      if (fail) {
        const status = Number(fail) || 500;
        call.status = status;
        call.usage = null;
        if (path.endsWith('/messages')) {
          return sendJSON(res, status, {
            type: 'error',
            error: { type: 'api_error', message: 'Internal server error' },
            request_id: `req_mock${id4}`,
          }, { 'request-id': `req_mock${id4}` });
        }
        return sendJSON(res, status, {
          error: {
            message: 'The server had an error while processing your request. Sorry about that!',
            type: 'server_error',
            param: null,
            code: null,
          },
        }, { 'x-request-id': `req_mock${id4}` });
      }

      if (req.method === 'POST' && path.endsWith('/chat/completions')) return chatCompletions(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/images/generations')) return images(body, res, call);
      if (req.method === 'POST' && path.endsWith('/audio/speech')) return speech(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/audio/transcriptions')) return transcriptions(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/moderations')) return moderations(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/messages/count_tokens')) return countTokens(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/responses')) return responses(body, res, call, id4);
      if (req.method === 'POST' && path.endsWith('/embeddings')) return embeddings(body, res, call);
      if (req.method === 'POST' && path.endsWith('/messages')) return messages(body, res, call, id4);
      call.status = 404;
      return sendJSON(res, 404, { error: { message: `mock: no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    } catch (err) {
      call.status = 500;
      call.error = String(err?.message ?? err);
      console.error('[mock] handler error:', err);
      if (!res.headersSent) sendJSON(res, 500, { error: { message: call.error, type: 'server_error' } });
      else res.end();
    }
  });

  // ---------------- OpenAI chat.completions ----------------
  function chatCompletions(body, res, call, id4) {
    const messages = body.messages ?? [];
    const afterTool = messages.some((m) => m.role === 'tool');
    const { usage, responseModel } = usageFor(body.model, 'chat', afterTool);
    call.response_model = responseModel;
    const id = `chatcmpl-mock${id4}`;
    const wantTool = Array.isArray(body.tools) && body.tools.length > 0 && !afterTool;
    const toolCall = wantTool
      ? {
          id: `call_mock${id4}`,
          type: 'function',
          function: { name: body.tools[0].function?.name ?? 'tool', arguments: JSON.stringify(TOOL_ARGS) },
        }
      : null;
    const finish = toolCall ? 'tool_calls' : 'stop';
    const text = wantsJSON(body) ? JSON_TEXT : TEXT;
    const includeUsage = !!body.stream_options?.include_usage;

    if (!body.stream) {
      call.usage = usage;
      return sendJSON(res, 200, {
        id,
        object: 'chat.completion',
        created: CREATED,
        model: responseModel,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: toolCall ? null : text,
              refusal: null,
              annotations: [],
              ...(toolCall ? { tool_calls: [toolCall] } : {}),
            },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_mock0001',
      }, { 'x-request-id': `req_mock${id4}` });
    }

    call.usage = includeUsage ? usage : null;
    startSSE(res, { 'x-request-id': `req_mock${id4}` });
    const base = { id, object: 'chat.completion.chunk', created: CREATED, model: responseModel, service_tier: 'default', system_fingerprint: 'fp_mock0001' };
    const u = includeUsage ? { usage: null } : {};
    sseData(res, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], ...u });
    if (toolCall) {
      sseData(res, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, logprobs: null, finish_reason: null }], ...u });
      sseData(res, { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }, logprobs: null, finish_reason: null }], ...u });
    } else {
      for (const piece of chunksOf(text)) {
        sseData(res, { ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }], ...u });
      }
    }
    sseData(res, { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }], ...u });
    if (includeUsage) sseData(res, { ...base, choices: [], usage });
    sseData(res, '[DONE]');
    res.end();
  }

  // ---------------- OpenAI responses ----------------
  function responses(body, res, call, id4) {
    const input = Array.isArray(body.input) ? body.input : [];
    const afterTool = input.some((i) => i?.type === 'function_call_output');
    const { usage, responseModel } = usageFor(body.model, 'responses', afterTool);
    call.response_model = responseModel;
    call.usage = usage;
    const respId = `resp_mock${id4}`;
    const fnTool = Array.isArray(body.tools) ? body.tools.find((t) => t.type === 'function') : null;
    const wantTool = !!fnTool && !afterTool;
    const text = wantsJSON(body) ? JSON_TEXT : TEXT;
    const msgItem = {
      id: `msg_mock${id4}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    };
    const fcItem = wantTool
      ? {
          id: `fc_mock${id4}`,
          type: 'function_call',
          status: 'completed',
          call_id: `call_mock${id4}`,
          name: fnTool.name,
          arguments: JSON.stringify(TOOL_ARGS),
        }
      : null;
    const output = fcItem ? [fcItem] : [msgItem];
    const responseObj = (status, out, usageVal) => ({
      id: respId,
      object: 'response',
      created_at: CREATED,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: responseModel,
      output: out,
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: true,
      temperature: body.temperature ?? 1.0,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      top_p: body.top_p ?? 1.0,
      truncation: 'disabled',
      usage: usageVal,
      user: null,
      metadata: {},
    });

    if (!body.stream) {
      return sendJSON(res, 200, responseObj('completed', output, usage), { 'x-request-id': `req_mock${id4}` });
    }
    startSSE(res, { 'x-request-id': `req_mock${id4}` });
    let sn = 0;
    const ev = (type, obj) => sseEvent(res, type, { type, sequence_number: sn++, ...obj });
    ev('response.created', { response: responseObj('in_progress', [], null) });
    ev('response.in_progress', { response: responseObj('in_progress', [], null) });
    if (fcItem) {
      ev('response.output_item.added', { output_index: 0, item: { ...fcItem, status: 'in_progress', arguments: '' } });
      ev('response.function_call_arguments.delta', { item_id: fcItem.id, output_index: 0, delta: fcItem.arguments });
      ev('response.function_call_arguments.done', { item_id: fcItem.id, output_index: 0, arguments: fcItem.arguments });
      ev('response.output_item.done', { output_index: 0, item: fcItem });
    } else {
      ev('response.output_item.added', { output_index: 0, item: { ...msgItem, status: 'in_progress', content: [] } });
      ev('response.content_part.added', { item_id: msgItem.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
      for (const piece of chunksOf(text)) {
        ev('response.output_text.delta', { item_id: msgItem.id, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
      }
      ev('response.output_text.done', { item_id: msgItem.id, output_index: 0, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { item_id: msgItem.id, output_index: 0, content_index: 0, part: msgItem.content[0] });
      ev('response.output_item.done', { output_index: 0, item: msgItem });
    }
    ev('response.completed', { response: responseObj('completed', output, usage) });
    res.end();
  }

  // ---------------- OpenAI embeddings ----------------
  function embeddings(body, res, call) {
    const { usage, responseModel } = usageFor(body.model, 'embeddings', false);
    call.response_model = responseModel;
    call.usage = usage;
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = body.dimensions ?? 8;
    const data = inputs.map((_, i) => {
      const vec = Array.from({ length: dims }, (_, k) => Math.round(Math.sin(i + k + 1) * 1e6) / 1e6);
      let embedding = vec;
      if (body.encoding_format === 'base64') {
        embedding = Buffer.from(new Float32Array(vec).buffer).toString('base64');
      }
      return { object: 'embedding', index: i, embedding };
    });
    return sendJSON(res, 200, { object: 'list', data, model: responseModel, usage });
  }

  // ---------------- OpenAI images ----------------
  function images(body, res, call) {
    const { usage, responseModel } = usageFor(body.model, 'images', false);
    call.response_model = responseModel;
    call.usage = usage;
    const n = body.n ?? 1;
    // a 1x1 transparent PNG stands in for the image
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    return sendJSON(res, 200, {
      created: CREATED,
      background: 'opaque',
      data: Array.from({ length: n }, () => ({ b64_json: png })),
      output_format: 'png',
      quality: body.quality ?? 'medium',
      size: body.size ?? '1024x1024',
      usage,
    });
  }

  // ---------------- OpenAI audio ----------------
  function speech(body, res, call, id4) {
    const responseModel = SPEECH_MODELS[body.model];
    if (!responseModel) throw new Error(`mock-provider: no speech model ${JSON.stringify(body.model)}`);
    call.response_model = responseModel;
    call.usage = null; // the speech endpoint answers with audio bytes only
    call.input_characters = String(body.input ?? '').length;
    const audio = Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000mock-mp3-frames', 'latin1');
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length, 'x-request-id': `req_mock${id4}` });
    res.end(audio);
  }

  function transcriptions(body, res, call, id4) {
    const { usage, responseModel } = usageFor(body.model, 'transcriptions', false);
    call.response_model = responseModel;
    call.usage = usage;
    const format = body.response_format ?? 'json';
    if (format === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': `req_mock${id4}` });
      return res.end(TEXT);
    }
    return sendJSON(res, 200, { text: TEXT, usage }, { 'x-request-id': `req_mock${id4}` });
  }

  function moderations(body, res, call, id4) {
    const responseModel = MODERATION_MODELS[body.model ?? 'omni-moderation-latest'];
    if (!responseModel) throw new Error(`mock-provider: no moderation model ${JSON.stringify(body.model)}`);
    call.request_model = body.model ?? null;
    call.response_model = responseModel;
    call.usage = null; // moderations are free; the API returns no usage
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const cats = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'sexual/minors', 'violence', 'violence/graphic'];
    return sendJSON(res, 200, {
      id: `modr-mock${id4}`,
      model: responseModel,
      results: inputs.map(() => ({
        flagged: false,
        categories: Object.fromEntries(cats.map((c) => [c, false])),
        category_scores: Object.fromEntries(cats.map((c) => [c, 0.0001])),
        category_applied_input_types: Object.fromEntries(cats.map((c) => [c, ['text']])),
      })),
    }, { 'x-request-id': `req_mock${id4}` });
  }

  // ---------------- Anthropic count_tokens ----------------
  function countTokens(body, res, call, id4) {
    const n = COUNT_TOKENS[body.model];
    if (n == null) throw new Error(`mock-provider: no count_tokens for model ${JSON.stringify(body.model)}`);
    call.response_model = null; // the answer names no model
    call.usage = null; // counting is free: the answer is a count, not usage
    call.response = { input_tokens: n };
    return sendJSON(res, 200, { input_tokens: n }, { 'request-id': `req_mock${id4}` });
  }

  // ---------------- Anthropic messages ----------------
  function messages(body, res, call, id4) {
    const msgs = body.messages ?? [];
    const afterTool = msgs.some((m) => Array.isArray(m.content) && m.content.some((c) => c.type === 'tool_result'));
    const { usage, responseModel } = usageFor(body.model, 'messages', afterTool);
    call.response_model = responseModel;
    call.usage = usage;
    const id = `msg_mock${id4}`;
    const headers = { 'request-id': `req_mock${id4}`, 'anthropic-organization-id': 'mock-org' };
    const tool = Array.isArray(body.tools) && body.tools.length > 0 && !afterTool ? body.tools[0] : null;
    const content = tool
      ? [{ type: 'tool_use', id: `toolu_mock${id4}`, name: tool.name, input: TOOL_ARGS }]
      : [{ type: 'text', text: TEXT }];
    const stopReason = tool ? 'tool_use' : 'end_turn';

    if (!body.stream) {
      return sendJSON(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model: responseModel,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      }, headers);
    }

    // Streaming, shaped like the real API: message_start carries the input
    // side of usage (and output_tokens: 1); message_delta carries cumulative
    // totals (input/cache counters repeated, final output_tokens).
    const startUsage = { ...structuredClone(usage), output_tokens: 1 };
    const deltaUsage = {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
    };
    call.stream_usage_events = { message_start: startUsage, message_delta: deltaUsage };
    startSSE(res, headers);
    sseEvent(res, 'message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model: responseModel, content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
    });
    if (tool) {
      sseEvent(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: content[0].id, name: tool.name, input: {} } });
      sseEvent(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(TOOL_ARGS) } });
    } else {
      sseEvent(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      sseEvent(res, 'ping', { type: 'ping' });
      for (const piece of chunksOf(TEXT)) {
        sseEvent(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
      }
    }
    sseEvent(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    sseEvent(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: deltaUsage });
    sseEvent(res, 'message_stop', { type: 'message_stop' });
    res.end();
  }

  await new Promise((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  const origin = `http://${host}:${addr.port}`;
  return {
    origin,
    port: addr.port,
    calls,
    /** Returns and forgets the calls recorded so far. */
    takeCalls() {
      return calls.splice(0, calls.length);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 0);
  const mock = await startMockProvider({ port, log: true });
  console.log(`mock provider listening on ${mock.origin}`);
  console.log(`  OpenAI baseURL:    ${mock.origin}/v1`);
  console.log(`  Anthropic baseURL: ${mock.origin}`);
}
