// The OpenAI SDK's non-chat operations, shared by the instrumentation capture
// scripts (otel-openai, traceloop, openinference, openlit): images, audio
// (speech, transcription), moderations, plus embeddings and responses for the
// libraries whose own script does not already have them.
//
// A scenario whose call the library does not instrument exports no span: the
// harness then writes only the .usage.json sidecar (no fixture), which
// `lib/summary.mjs` lists as "no fixture (library exported no spans)". That is
// the captured evidence for a "not instrumented" cell in docs/normalisation.md.

const IMAGE_PROMPT = 'A watercolour painting of the Eiffel Tower at dawn';
const SPEECH_INPUT = 'The capital of France is Paris.';

/**
 * @param {object} o
 * @param {object} o.cap        harness from createCapture()
 * @param {object} o.openai     the openai module (require('openai'))
 * @param {object} o.client     an OpenAI client pointed at the mock
 * @param {string} [o.prefix]   scenario name prefix ('' for otel-openai, whose library name already says openai; 'openai-' otherwise)
 * @param {string[]} o.ops      which scenarios to run: images, audio-speech, audio-transcription, moderations, embeddings, responses, responses-stream
 * @param {Record<string,string>} [o.expect]  per op, a note on what the library is expected to do (e.g. 'not instrumented: ...')
 * @param {string} [o.note]     appended to every note
 */
export async function runOpenAIOperations({ cap, openai, client, prefix = 'openai-', ops, expect = {}, note = '' }) {
  const want = new Set(ops);
  const n = (op, s) => [s, expect[op] ? `Expected: ${expect[op]}` : '', note].filter(Boolean).join(' ');

  if (want.has('responses')) {
    await cap.scenario(`${prefix}responses-cached`, async () => {
      await client.responses.create({ model: 'gpt-4o-mini', input: 'What is the capital of France?', instructions: 'You are a helpful assistant.' });
    }, { notes: n('responses', 'Non-streaming Responses API (responses.create); usage uses input_tokens/input_tokens_details.cached_tokens (200 of 1200 cached), output 300.') });
  }

  if (want.has('responses-stream')) {
    await cap.scenario(`${prefix}responses-stream`, async () => {
      const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'What is the capital of France?', stream: true });
      for await (const _ of stream) { /* drain */ }
    }, { notes: n('responses-stream', 'Streaming Responses API (responses.create({stream:true})); usage arrives in the response.completed event (1200 incl. 200 cached, 300 out).') });
  }

  if (want.has('embeddings')) {
    await cap.scenario(`${prefix}embeddings`, async () => {
      await client.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox jumps over the lazy dog' });
    }, { notes: n('embeddings', 'embeddings.create; usage prompt_tokens 8, total_tokens 8.') });
  }

  if (want.has('images')) {
    await cap.scenario(`${prefix}images`, async () => {
      await client.images.generate({ model: 'gpt-image-1', prompt: IMAGE_PROMPT, size: '1024x1024', quality: 'medium', n: 1 });
    }, { notes: n('images', 'images.generate with gpt-image-1, 1024x1024, quality medium. The Images API returns usage {input_tokens 20 (text 20, image 0), output_tokens 1056 (image tokens), total_tokens 1076}. OpenAI bills text input, image input and image output tokens at different rates.') });
  }

  if (want.has('audio-speech')) {
    await cap.scenario(`${prefix}audio-speech`, async () => {
      const r = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: SPEECH_INPUT, response_format: 'mp3' });
      await r.arrayBuffer();
    }, { notes: n('audio-speech', `audio.speech.create with gpt-4o-mini-tts; the endpoint answers with audio bytes and NO usage (provider_usage_returned is null). The input is ${SPEECH_INPUT.length} characters.`) });
  }

  if (want.has('audio-transcription')) {
    await cap.scenario(`${prefix}audio-transcription`, async () => {
      const file = await openai.toFile(Buffer.from('ID3 mock audio bytes'), 'speech.mp3', { type: 'audio/mpeg' });
      await client.audio.transcriptions.create({ model: 'gpt-4o-mini-transcribe', file });
    }, { notes: n('audio-transcription', 'audio.transcriptions.create with gpt-4o-mini-transcribe (multipart); usage {type: "tokens", input_tokens 140 (audio 140), output_tokens 12, total_tokens 152}. Audio input tokens have their own rate.') });
  }

  if (want.has('moderations')) {
    await cap.scenario(`${prefix}moderations`, async () => {
      await client.moderations.create({ model: 'omni-moderation-latest', input: 'I want to visit Paris.' });
    }, { notes: n('moderations', 'moderations.create with omni-moderation-latest; moderations are free and the API returns no usage.') });
  }
}
