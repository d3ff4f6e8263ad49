package normalize

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func describe(t *testing.T, name string, kv map[string]any) Description {
	t.Helper()
	var c Call
	var scratch Scratch
	opts := Options{Describe: true}
	require.True(t, Scan(attrs(t, kv), name, &opts, &scratch, &c))
	return c.Description
}

func TestCanonicalOperations(t *testing.T) {
	for _, c := range []struct {
		name    string
		kv      map[string]any
		op, raw string
	}{
		{"", map[string]any{"gen_ai.operation.name": "chat"}, OpChat, "chat"},
		{"", map[string]any{"gen_ai.operation.name": "acompletion"}, OpChat, "acompletion"},
		{"", map[string]any{"gen_ai.operation.name": "aembedding"}, OpEmbeddings, "aembedding"},
		{"", map[string]any{"gen_ai.operation.name": "image"}, OpImage, "image"},
		{"", map[string]any{"gen_ai.operation.name": "audio"}, OpSpeech, "audio"},
		{"", map[string]any{"gen_ai.operation.name": "my_op", "gen_ai.usage.input_tokens": 1}, OpOther, "my_op"},
		{"", map[string]any{"ai.operationId": "ai.generateText.doGenerate"}, OpChat, "ai.generateText.doGenerate"},
		{"", map[string]any{"ai.operationId": "ai.streamObject.doStream"}, OpChat, "ai.streamObject.doStream"},
		{"", map[string]any{"ai.operationId": "ai.embedMany.doEmbed"}, OpEmbeddings, "ai.embedMany.doEmbed"},
		{"", map[string]any{"openinference.span.kind": "EMBEDDING", "embedding.model_name": "m"}, OpEmbeddings, "EMBEDDING"},
		{"", map[string]any{"openinference.span.kind": "LLM"}, OpChat, "LLM"},
		{"", map[string]any{"llm.request.type": "completion"}, OpChat, "completion"},
		{"", map[string]any{"llm.request.type": "rerank"}, OpRerank, "rerank"},
		{"claude_code.llm_request", map[string]any{"input_tokens": 1}, OpChat, "claude_code.llm_request"},
		{"anthropic.messages.count_tokens", map[string]any{"gen_ai.provider.name": "anthropic"}, OpCountTokens, "anthropic.messages.count_tokens"},
		{"", map[string]any{"gen_ai.usage.input_tokens": 1}, OpOther, ""},
	} {
		d := describe(t, c.name, c.kv)
		assert.Equal(t, c.op, d.Operation, "%v", c.kv)
		assert.Equal(t, c.raw, d.RawOperation, "%v", c.kv)
	}
	assert.Equal(t, OpImage, CanonicalOperation("aimage_generation"))
	assert.Equal(t, OpEmbeddings, CanonicalOperation("ai.embed.doEmbed"))
	assert.Equal(t, OpOther, CanonicalOperation("ai.toolCall"))
	assert.Empty(t, CanonicalOperation(""))
}

func TestStreamingAndTTFT(t *testing.T) {
	base := func(extra map[string]any) map[string]any {
		kv := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "m"}
		for k, v := range extra {
			kv[k] = v
		}
		return kv
	}
	for _, c := range []struct {
		kv     map[string]any
		stream bool
		ttft   time.Duration
	}{
		{base(nil), false, 0},
		{base(map[string]any{"gen_ai.request.stream": true, "gen_ai.response.time_to_first_chunk": 0.25}), true, 250 * time.Millisecond},
		{base(map[string]any{"gen_ai.request.is_stream": true}), true, 0},                              // OpenLIT
		{base(map[string]any{"llm.is_streaming": "True"}), true, 0},                                    // LiteLLM
		{base(map[string]any{"llm.is_streaming": "False"}), false, 0},                                  // LiteLLM
		{base(map[string]any{"gen_ai.is_streaming": false}), false, 0},                                 // OpenLLMetry 0.5
		{base(map[string]any{"gen_ai.server.time_to_first_token": 0.5}), true, 500 * time.Millisecond}, // OpenLIT
		{base(map[string]any{"gen_ai.client.operation.time_to_first_chunk": 0.026}), true, 26 * time.Millisecond},
		{base(map[string]any{"ai.response.msToFirstChunk": 12.5}), true, 12500 * time.Microsecond},
		{base(map[string]any{"llm.invocation_parameters": `{"model":"m","stream": true,"stream_options":{"include_usage":true}}`}), true, 0},
		{base(map[string]any{"llm.invocation_parameters": `{"model":"m","stream":false}`}), false, 0},
		{base(map[string]any{"llm.invocation_parameters": `{"stream_options":{}}`}), false, 0},
		// A stream flag that says no wins over a time to first chunk.
		{base(map[string]any{"gen_ai.request.stream": false, "gen_ai.response.time_to_first_chunk": 0.1}), false, 100 * time.Millisecond},
		// Nonsense times are no times.
		{base(map[string]any{"gen_ai.response.time_to_first_chunk": "NaN"}), false, 0},
		{base(map[string]any{"gen_ai.response.time_to_first_chunk": -1.0}), false, 0},
		{base(map[string]any{"gen_ai.response.time_to_first_chunk": 1e12}), false, 0},
	} {
		d := describe(t, "", c.kv)
		assert.Equal(t, c.stream, d.Streaming, "%v", c.kv)
		assert.Equal(t, c.ttft, d.TTFT, "%v", c.kv)
	}
	d := describe(t, "", map[string]any{"ai.operationId": "ai.streamText.doStream"})
	assert.True(t, d.Streaming, "a Vercel AI SDK doStream step")
}

// Keys that only describe a call do not make a span a GenAI span: an HTTP
// span with a stream flag is left alone.
func TestDescriptionKeysAloneAreNotGenAI(t *testing.T) {
	var c Call
	var scratch Scratch
	opts := Options{MaxTokens: 1e9, MaxCost: 1e9}
	assert.False(t, Scan(attrs(t, map[string]any{"gen_ai.request.stream": true, "llm.invocation_parameters": "{}"}), "GET", &opts, &scratch, &c))
}

// Without Describe, Scan leaves the description empty: the processor does
// not pay for it.
func TestNoDescriptionUnlessAsked(t *testing.T) {
	c, ok := scan(t, "", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.stream": true})
	require.True(t, ok)
	assert.Equal(t, Description{}, c.Description)
}
