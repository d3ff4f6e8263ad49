package normalize

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

var lim = &Options{MaxTokens: 100_000_000, MaxCost: 1000 * money.NanosPerUnit}

func attrs(t testing.TB, kv map[string]any) pcommon.Map {
	t.Helper()
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(kv))
	return m
}

func scan(t testing.TB, name string, kv map[string]any) (Call, bool) {
	t.Helper()
	var c Call
	ok := Scan(attrs(t, kv), name, lim, new(Scratch), &c)
	return c, ok
}

func meters(t *testing.T, kv map[string]any, inclusive bool) meter.Counts {
	t.Helper()
	c, ok := scan(t, "chat", kv)
	require.True(t, ok)
	require.Empty(t, c.Problem.Reason, "problem %+v", c.Problem)
	var out meter.Counts
	c.Meters(inclusive, TTL5m, &out)
	return out
}

func TestNotGenAI(t *testing.T) {
	_, ok := scan(t, "GET /", map[string]any{
		"http.request.method": "GET", "url.full": "https://example.com", "server.address": "example.com", "server.port": 443,
	})
	assert.False(t, ok, "an HTTP span is not GenAI")
	_, ok = scan(t, "GET /", map[string]any{
		"gen_ai.conversation.id": "c1", "gen_ai.agent.name": "a", "traceloop.association.properties.user_id": "u",
		"traceloop.workflow.name": "wf", "ai.telemetry.metadata.user": "u", "gen_ai.response.id": "r", "server.address": "api.openai.com",
	})
	assert.False(t, ok, "attributes stamped from context on every span do not make a GenAI call")
	_, ok = scan(t, "x", map[string]any{})
	assert.False(t, ok)
}

func TestSemconvInclusiveCache(t *testing.T) {
	u := meters(t, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_read.input_tokens": 200,
		"gen_ai.usage.cache_write.input_tokens": 100, "gen_ai.usage.output_tokens": 300,
	}, true)
	assert.Equal(t, int64(700), u[meter.Input])
	assert.Equal(t, int64(200), u[meter.CacheRead])
	assert.Equal(t, int64(100), u[meter.CacheWrite5m])
	assert.Equal(t, int64(300), u[meter.Output])
	assert.Equal(t, int64(1), u[meter.Request])
}

func TestExclusiveCache(t *testing.T) {
	kv := map[string]any{"gen_ai.usage.input_tokens": 100, "gen_ai.usage.cache_read.input_tokens": 2000,
		"gen_ai.usage.cache_creation.input_tokens": 500, "gen_ai.usage.output_tokens": 10}
	u := meters(t, kv, false)
	assert.Equal(t, int64(100), u[meter.Input])
	// Claimed inclusive, but 100 < 2500: the counts prove it exclusive.
	c, _ := scan(t, "chat", kv)
	var out meter.Counts
	assert.True(t, c.Meters(true, TTL5m, &out))
	assert.Equal(t, int64(100), out[meter.Input])
	assert.Equal(t, int64(2000), out[meter.CacheRead])
}

func TestCacheWriteTTL(t *testing.T) {
	c, _ := scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_write.input_tokens": 400})
	var out meter.Counts
	c.Meters(true, TTL1h, &out)
	assert.Equal(t, int64(400), out[meter.CacheWrite1h])
	assert.Equal(t, int64(0), out[meter.CacheWrite5m])
	assert.Equal(t, int64(600), out[meter.Input])
	// The Anthropic SDK's own spans carry the split under anthropic.usage.
	c, _ = scan(t, "anthropic.messages.create", map[string]any{"gen_ai.usage.input_tokens": 2600, "gen_ai.usage.cache_write.input_tokens": 500,
		"anthropic.usage.cache_creation.ephemeral_5m_input_tokens": 200, "anthropic.usage.cache_creation.ephemeral_1h_input_tokens": 300,
		"gen_ai.usage.cache_read.input_tokens": 2000})
	c.Meters(true, TTL5m, &out)
	assert.Equal(t, meter.Counts{meter.Input: 100, meter.CacheRead: 2000, meter.CacheWrite5m: 200, meter.CacheWrite1h: 300, meter.Request: 1}, out)
	// An explicit split wins over the configured class.
	c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_creation.input_tokens": 400,
		"gen_ai.usage.cache_creation.ephemeral_1h_input_tokens": 300})
	c.Meters(true, TTL5m, &out)
	assert.Equal(t, int64(100), out[meter.CacheWrite5m])
	assert.Equal(t, int64(300), out[meter.CacheWrite1h])
}

func TestFirstMatchWinsNeverSum(t *testing.T) {
	// Strands writes the old and the new names with one value each.
	u := meters(t, map[string]any{"gen_ai.usage.input_tokens": 100, "gen_ai.usage.prompt_tokens": 100,
		"gen_ai.usage.output_tokens": 7, "gen_ai.usage.completion_tokens": 7}, true)
	assert.Equal(t, int64(100), u[meter.Input])
	assert.Equal(t, int64(7), u[meter.Output])
	// Pydantic AI writes cache reads twice.
	u = meters(t, map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_read.input_tokens": 300,
		"gen_ai.usage.details.cache_read_tokens": 300}, true)
	assert.Equal(t, int64(300), u[meter.CacheRead])
	assert.Equal(t, int64(700), u[meter.Input])
	// Vercel step spans carry ai.usage.* and gen_ai.usage.*.
	u = meters(t, map[string]any{"ai.usage.promptTokens": 50, "gen_ai.usage.input_tokens": 50,
		"ai.usage.completionTokens": 5, "gen_ai.usage.output_tokens": 5}, true)
	assert.Equal(t, int64(50), u[meter.Input])
}

func TestDeprecatedNames(t *testing.T) {
	u := meters(t, map[string]any{"gen_ai.usage.prompt_tokens": 40, "gen_ai.usage.completion_tokens": 4,
		"gen_ai.usage.cache_read_input_tokens": 10, "gen_ai.usage.cache_creation_input_tokens": 5}, true)
	assert.Equal(t, meter.Counts{meter.Input: 25, meter.CacheRead: 10, meter.CacheWrite5m: 5, meter.Output: 4, meter.Request: 1}, u)
}

func TestOpenInference(t *testing.T) {
	u := meters(t, map[string]any{"openinference.span.kind": "LLM", "llm.token_count.prompt": 2600,
		"llm.token_count.prompt_details.cache_read": 2000, "llm.token_count.prompt_details.cache_write": 500,
		"llm.token_count.completion": 250, "llm.token_count.completion_details.reasoning": 100, "llm.token_count.total": 2850}, true)
	assert.Equal(t, meter.Counts{meter.Input: 100, meter.CacheRead: 2000, meter.CacheWrite5m: 500, meter.Output: 250, meter.Reasoning: 100, meter.Request: 1}, u)
}

func TestVercel(t *testing.T) {
	// v6 reports the uncached input directly.
	c, ok := scan(t, "ai.generateText.doGenerate", map[string]any{"ai.operationId": "ai.generateText.doGenerate",
		"ai.usage.inputTokens": 2600, "ai.usage.inputTokenDetails.noCacheTokens": 100,
		"ai.usage.inputTokenDetails.cacheReadTokens": 2000, "ai.usage.inputTokenDetails.cacheWriteTokens": 500,
		"ai.usage.outputTokens": 250, "ai.model.provider": "anthropic.messages", "ai.model.id": "claude-sonnet-4-5"})
	require.True(t, ok)
	assert.True(t, c.VercelDetails)
	assert.Equal(t, Inference, c.Kind)
	var out meter.Counts
	c.Meters(false, TTL5m, &out) // even if a rule said exclusive, the direct count wins
	assert.Equal(t, int64(100), out[meter.Input])
	assert.Equal(t, int64(2000), out[meter.CacheRead])
	assert.Equal(t, int64(500), out[meter.CacheWrite5m])
	// v5 Anthropic: no details, inputTokens exclusive.
	c, _ = scan(t, "ai.generateText.doGenerate", map[string]any{"ai.operationId": "ai.generateText.doGenerate",
		"ai.usage.inputTokens": 3000, "ai.usage.cachedInputTokens": 2000, "ai.usage.outputTokens": 250})
	assert.False(t, c.VercelDetails)
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "ai", "anthropic", &c))
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "ai", "openai", &c))
	c.Meters(false, TTL5m, &out)
	assert.Equal(t, int64(3000), out[meter.Input])
}

func TestVercelV5AnthropicProviderMetadata(t *testing.T) {
	// AI SDK v5 leaves cache counts out of its usage attributes but keeps
	// Anthropic's raw usage in the provider metadata.
	c, ok := scan(t, "ai.generateText.doGenerate", map[string]any{"ai.operationId": "ai.generateText.doGenerate",
		"ai.usage.promptTokens": 100, "ai.usage.completionTokens": 250, "gen_ai.usage.input_tokens": 100,
		"ai.response.providerMetadata": `{"anthropic":{"usage":{"input_tokens":100,"output_tokens":250,"cache_creation_input_tokens":500,` +
			`"cache_read_input_tokens":2000,"cache_creation":{"ephemeral_5m_input_tokens":500,"ephemeral_1h_input_tokens":0}},"cacheCreationInputTokens":500}}`})
	require.True(t, ok)
	var out meter.Counts
	c.Meters(InputIncludesCache(BuiltinCacheRules, "ai", "anthropic", &c), TTL5m, &out)
	assert.Equal(t, meter.Counts{meter.Input: 100, meter.CacheRead: 2000, meter.CacheWrite5m: 500, meter.Output: 250, meter.Request: 1}, out)
	// Attributes win over the metadata; broken JSON is ignored.
	c, _ = scan(t, "x", map[string]any{"gen_ai.usage.input_tokens": 100, "ai.usage.cachedInputTokens": 7,
		"ai.response.providerMetadata": `{"anthropic":{"usage":{"cache_read_input_tokens":2000}}}`})
	assert.Equal(t, int64(7), c.Tokens[cCacheRead])
	c, _ = scan(t, "x", map[string]any{"gen_ai.usage.input_tokens": 100, "ai.response.providerMetadata": `{"anthropic":{"usage":{"cache_read_input_tokens":-5, "cache_creation_input_tokens": 1e99`})
	assert.False(t, c.has(cCacheRead))
}

func TestCacheRules(t *testing.T) {
	var c Call
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "openlit.otel.tracing", "anthropic", &c))
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "@openlit/instrumentation-anthropic", "anthropic", &c))
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "@traceloop/instrumentation-anthropic", "anthropic", &c))
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "com.anthropic.sdk.typescript", "anthropic", &c))
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "openlit.otel.tracing", "openai", &c))
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "openlitx", "anthropic", &c), "whole segments only")
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "aiohttp", "anthropic", &c))
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "strands.telemetry.tracer", "aws.bedrock", &c))
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "opentelemetry.instrumentation.bedrock", "aws.bedrock", &c))
	assert.True(t, InputIncludesCache(BuiltinCacheRules, "opentelemetry.instrumentation.anthropic", "anthropic", &c))
	cc := Call{ClaudeCode: true}
	assert.False(t, InputIncludesCache(BuiltinCacheRules, "com.anthropic.claude_code", "anthropic", &cc))
	// User rules go first.
	user := append([]CacheRule{{Scope: "openlit", InputIncludesCache: true}}, BuiltinCacheRules...)
	assert.True(t, InputIncludesCache(user, "openlit.otel.tracing", "anthropic", &c))
}

func TestStringNumbers(t *testing.T) {
	// Spring AI sends numbers as strings.
	u := meters(t, map[string]any{"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": "100",
		"gen_ai.usage.output_tokens": " 20 ", "gen_ai.usage.cache_read.input_tokens": "40.0"}, true)
	assert.Equal(t, int64(60), u[meter.Input])
	assert.Equal(t, int64(20), u[meter.Output])
	assert.Equal(t, int64(40), u[meter.CacheRead])
	u = meters(t, map[string]any{"gen_ai.usage.input_tokens": 100.0, "gen_ai.usage.output_tokens": 3.0}, true)
	assert.Equal(t, int64(100), u[meter.Input])
}

func TestReasoning(t *testing.T) {
	u := meters(t, map[string]any{"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 1000, "gen_ai.usage.reasoning.output_tokens": 800}, true)
	assert.Equal(t, int64(1000), u[meter.Output], "reasoning is inside output")
	assert.Equal(t, int64(800), u[meter.Reasoning])
	u = meters(t, map[string]any{"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 200, "gen_ai.usage.reasoning_tokens": 800}, true)
	assert.Equal(t, int64(1000), u[meter.Output], "a reasoning count above output shows they were reported apart")
}

func TestModalities(t *testing.T) {
	u := meters(t, map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.audio.input_tokens": 400,
		"gen_ai.usage.cache_read.input_tokens": 300, "gen_ai.usage.audio.cache_read.input_tokens": 100,
		"gen_ai.usage.output_tokens": 50, "gen_ai.usage.audio.output_tokens": 30, "gen_ai.usage.image.input_tokens": 85}, true)
	assert.Equal(t, int64(700), u[meter.Input])
	assert.Equal(t, int64(300), u[meter.InputAudio], "uncached audio only")
	assert.Equal(t, int64(100), u[meter.CacheReadAudio])
	assert.Equal(t, int64(85), u[meter.InputImage])
	assert.Equal(t, int64(30), u[meter.OutputAudio])
}

func TestClaudeCode(t *testing.T) {
	c, ok := scan(t, "claude_code.llm_request", map[string]any{"input_tokens": 12, "output_tokens": 300,
		"cache_read_tokens": 5000, "cache_creation_tokens": 800, "model": "claude-sonnet-4-5-20250929", "cost_usd": 0.02})
	require.True(t, ok)
	assert.True(t, c.ClaudeCode)
	assert.Equal(t, Inference, c.Kind)
	assert.Equal(t, "claude-sonnet-4-5-20250929", c.Model())
	var out meter.Counts
	c.Meters(InputIncludesCache(BuiltinCacheRules, "com.anthropic.claude_code", "anthropic", &c), TTL5m, &out)
	assert.Equal(t, int64(12), out[meter.Input])
	assert.Equal(t, int64(5000), out[meter.CacheRead])
	assert.True(t, c.Reported.Present)
	assert.Equal(t, "local", c.Reported.Source)
	// The same flat keys on another span are not read.
	_, ok = scan(t, "something", map[string]any{"input_tokens": 12, "model": "x"})
	assert.False(t, ok)
}

func TestLangSmithTokenDetails(t *testing.T) {
	u := meters(t, map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.input_token_details": "{'audio': 0, 'cache_read': 600, 'cache_creation': 100}"}, true)
	assert.Equal(t, int64(600), u[meter.CacheRead])
	assert.Equal(t, int64(100), u[meter.CacheWrite5m])
	assert.Equal(t, int64(300), u[meter.Input])
	// A proper attribute wins over the dict.
	u = meters(t, map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_read.input_tokens": 50,
		"gen_ai.usage.input_token_details": "{'cache_read': 600}"}, true)
	assert.Equal(t, int64(50), u[meter.CacheRead])
	// An absurd count in the dict makes the call invalid, as from any key
	// (found by FuzzScan: it used to be taken as it was).
	for _, details := range []string{"{'cache_read': 700000000000}", "{'cache_creation': 99999999999999999999}"} {
		c, ok := scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.input_token_details": details})
		require.True(t, ok)
		assert.Equal(t, Problem{Reason: "too_large", Key: "gen_ai.usage.input_token_details"}, c.Problem, details)
		assert.False(t, c.has(cCacheRead) || c.has(cCacheWrite), details)
	}
}

func TestProblems(t *testing.T) {
	cases := []struct {
		val    any
		reason string
	}{
		{"", "empty"},
		{"  ", "empty"},
		{-5, "negative"},
		{"-5", "negative"},
		{-1.0, "negative"},
		{math.NaN(), "not_a_number"},
		{math.Inf(1), "not_a_number"},
		{"NaN", "not_a_number"},
		{"abc", "not_a_number"},
		{12.5, "fractional"},
		{"12.5", "fractional"},
		{int64(1e12), "too_large"},
		{1e300, "too_large"},
		{true, "wrong_type"},
		{[]any{1, 2}, "wrong_type"},
		{map[string]any{"a": 1}, "wrong_type"},
	}
	for _, tc := range cases {
		c, ok := scan(t, "chat", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": tc.val, "gen_ai.usage.output_tokens": 3})
		require.True(t, ok)
		assert.Equal(t, Problem{Reason: tc.reason, Key: "gen_ai.usage.input_tokens"}, c.Problem, "%v", tc.val)
		assert.Equal(t, Inference, c.Kind)
	}
	// A bad best key is not replaced by a lower-ranked one.
	c, _ := scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": "", "gen_ai.usage.prompt_tokens": 10})
	assert.Equal(t, "empty", c.Problem.Reason)
	// A span whose only GenAI attribute is a bad count is still a call.
	c, ok := scan(t, "chat", map[string]any{"gen_ai.usage.output_tokens": -1})
	assert.True(t, ok)
	assert.Equal(t, Inference, c.Kind)
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		kv   map[string]any
		want Kind
	}{
		{"chat", map[string]any{"gen_ai.operation.name": "chat"}, Inference},
		{"embeddings", map[string]any{"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "m"}, Inference},
		{"litellm async", map[string]any{"gen_ai.operation.name": "acompletion"}, Inference},
		{"invoke_agent with usage", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"execute_tool", map[string]any{"gen_ai.operation.name": "execute_tool"}, Aggregate},
		{"ai-sdk otel step", map[string]any{"gen_ai.operation.name": "agent_step", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"langsmith chain with usage", map[string]any{"gen_ai.operation.name": "chain", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"vercel root", map[string]any{"ai.operationId": "ai.generateText", "ai.usage.promptTokens": 5}, Aggregate},
		{"vercel stream root", map[string]any{"ai.operationId": "ai.streamText", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"vercel step", map[string]any{"ai.operationId": "ai.streamText.doStream", "ai.usage.promptTokens": 5}, Inference},
		{"vercel embed", map[string]any{"ai.operationId": "ai.embed.doEmbed", "ai.usage.tokens": 5}, Inference},
		{"openinference llm", map[string]any{"openinference.span.kind": "LLM"}, Inference},
		{"openinference chain", map[string]any{"openinference.span.kind": "CHAIN", "llm.token_count.prompt": 5}, Aggregate},
		{"openinference agent", map[string]any{"openinference.span.kind": "AGENT", "llm.token_count.prompt": 5}, Aggregate},
		{"openllmetry legacy", map[string]any{"llm.request.type": "chat", "gen_ai.usage.prompt_tokens": 5}, Inference},
		{"traceloop workflow", map[string]any{"traceloop.span.kind": "workflow", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"pydantic legacy agent run", map[string]any{"agent_name": "a", "gen_ai.usage.input_tokens": 5}, Aggregate},
		{"unknown op with usage", map[string]any{"gen_ai.operation.name": "frobnicate", "gen_ai.usage.input_tokens": 5}, Inference},
		{"usage only", map[string]any{"gen_ai.usage.input_tokens": 5}, Inference},
		{"model only", map[string]any{"gen_ai.request.model": "gpt-4o"}, Inference},
		{"provider only", map[string]any{"gen_ai.system": "openai"}, Aggregate},
	}
	custom := &Options{MaxTokens: 100, InferenceOps: map[string]bool{"invoke_agent": true}, AggregateOps: map[string]bool{"chat": true}}
	var c Call
	var sc Scratch
	Scan(attrs(t, map[string]any{"gen_ai.operation.name": "invoke_agent"}), "x", custom, &sc, &c)
	assert.Equal(t, Inference, c.Kind, "configured lists override the built-in ones")
	Scan(attrs(t, map[string]any{"gen_ai.operation.name": "Chat"}), "x", custom, &sc, &c)
	assert.Equal(t, Aggregate, c.Kind)
	for _, tc := range cases {
		c, ok := scan(t, tc.name, tc.kv)
		require.True(t, ok, tc.name)
		assert.Equal(t, tc.want, c.Kind, tc.name)
	}
}

func TestIdentity(t *testing.T) {
	c, _ := scan(t, "chat", map[string]any{"gen_ai.system": "gcp.vertex.agent", "llm.provider": "google", "gen_ai.provider.name": "strands-agents",
		"gen_ai.request.model": "my-deployment", "gen_ai.response.model": "gpt-4o-2024-08-06", "server.address": "x.openai.azure.com",
		"gen_ai.response.id": "chatcmpl-1", "gen_ai.usage.input_tokens": 1})
	assert.Equal(t, []string{"strands-agents", "gcp.vertex.agent", "google"}, c.Providers[:c.NProv], "best first, all kept")
	assert.Equal(t, "gpt-4o-2024-08-06", c.Model(), "response model first")
	assert.Equal(t, "my-deployment", c.RequestModel)
	assert.Equal(t, "x.openai.azure.com", c.Server)
	assert.Equal(t, "chatcmpl-1", c.ResponseID)
	c, _ = scan(t, "chat", map[string]any{"llm.model_name": "claude-3-5-sonnet", "gen_ai.usage.input_tokens": 1})
	assert.Equal(t, "claude-3-5-sonnet", c.Model())
}

func TestReportedCost(t *testing.T) {
	nanos := func(s string) money.Nanos { n, _ := money.ParseDecimal(s); return n }
	c, _ := scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.usage.cost.amount": 0.0125,
		"gen_ai.usage.cost.currency": "eur", "gen_ai.usage.cost.source": "provider"})
	assert.Equal(t, Reported{Present: true, Amount: nanos("0.0125"), Currency: "EUR", Source: "provider", Key: "gen_ai.usage.cost.amount", InSemconv: true}, c.Reported)
	c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.cost.total_cost": 0.003, "gen_ai.cost.input_cost": 0.001})
	assert.Equal(t, Reported{Present: true, Amount: nanos("0.003"), Currency: "USD", Source: "provider", Key: "gen_ai.cost.total_cost"}, c.Reported)
	c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.usage.cost": "0.0004"})
	assert.Equal(t, Reported{Present: true, Amount: nanos("0.0004"), Currency: "USD", Source: "local", Key: "gen_ai.usage.cost"}, c.Reported)
	c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "llm.cost.total": 0.5, "operation.cost": 0.25})
	assert.Equal(t, "llm.cost.total", c.Reported.Key, "first key of the family wins")
	// Unusable costs are flagged, not used.
	for val, reason := range map[any]string{"abc": "not_a_number", -1.0: "negative", 1e9: "too_large", math.NaN(): "not_a_number"} {
		c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.usage.cost": val})
		assert.False(t, c.Reported.Present, "%v", val)
		assert.Equal(t, reason, c.Reported.Problem.Reason, "%v", val)
	}
	c, _ = scan(t, "chat", map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.usage.cost.amount": 1.5})
	assert.False(t, c.Reported.Present)
	assert.True(t, c.Reported.InSemconv, "the emitter's attribute is there, and must not be overwritten")
	assert.Equal(t, "no_currency", c.Reported.Problem.Reason)
}

// FuzzScan feeds arbitrary keys and values of every type; Scan must never
// panic and must only produce sane meters.
func FuzzScan(f *testing.F) {
	f.Add("gen_ai.usage.input_tokens", "100", int64(5), 1.5, true, "chat")
	f.Add("gen_ai.request.stream", `{"stream": true}`, int64(5), 0.25, true, "ai.streamText.doStream")
	f.Add("gen_ai.usage.cache_read.input_tokens", "", int64(-1), math.NaN(), false, "claude_code.llm_request")
	f.Add("llm.token_count.prompt", "1e3", int64(1<<62), math.Inf(-1), true, "ai.generateText")
	f.Add("gen_ai.usage.input_token_details", "{'cache_read': 99999999999999999999}", int64(0), math.Copysign(0, -1), false, "x")
	f.Fuzz(func(t *testing.T, key, s string, i int64, d float64, b bool, name string) {
		m := pcommon.NewMap()
		m.PutStr(key, s)
		m.PutInt("gen_ai.usage.input_tokens", i)
		m.PutDouble("gen_ai.usage.cache_read.input_tokens", d)
		m.PutStr("gen_ai.usage.output_tokens", s)
		m.PutBool("gen_ai.usage.reasoning.output_tokens", b)
		m.PutStr("gen_ai.usage.cost.amount", s)
		m.PutStr("gen_ai.usage.cost.currency", s)
		m.PutStr("input_tokens", s)
		m.PutInt("cache_read_tokens", i)
		m.PutStr("llm.invocation_parameters", s)
		m.PutDouble("gen_ai.response.time_to_first_chunk", d)
		m.PutStr("ai.response.msToFirstChunk", s)
		m.PutStr("ai.operationId", s)
		// The exporter's description of the same span never fails either.
		var described Call
		if Scan(m, name, &Options{Describe: true}, new(Scratch), &described) {
			if d := described.TTFT; d < 0 || d > 24*time.Hour {
				t.Fatalf("time to first chunk %v", d)
			}
			if !slices.Contains(Operations, described.Operation) {
				t.Fatalf("operation %q", described.Operation)
			}
		}
		var c Call
		if !Scan(m, name, lim, new(Scratch), &c) {
			return
		}
		for _, incl := range []bool{true, false} {
			var out meter.Counts
			c.Meters(incl, TTL5m, &out)
			for mt, v := range out {
				if v < 0 || v > 3*lim.MaxTokens {
					t.Fatalf("meter %s = %d from %+v", meter.Meter(mt), v, c)
				}
			}
		}
		if c.Reported.Present && (c.Reported.Amount < 0 || c.Reported.Amount > lim.MaxCost) {
			t.Fatalf("reported %+v", c.Reported)
		}
	})
}

func BenchmarkScanNotGenAI(b *testing.B) {
	m := attrs(b, map[string]any{"http.request.method": "GET", "http.response.status_code": 200, "url.full": "https://example.com/a",
		"url.scheme": "https", "url.path": "/a", "server.address": "example.com", "server.port": 443, "network.protocol.version": "1.1",
		"network.peer.address": "10.0.0.1", "network.peer.port": 443, "user_agent.original": "x", "http.route": "/a", "client.address": "1.2.3.4", "url.query": "q=1"})
	var c Call
	var sc Scratch
	b.ReportAllocs()
	for b.Loop() {
		Scan(m, "GET /a", lim, &sc, &c)
	}
}

func BenchmarkScanLLM(b *testing.B) {
	m := attrs(b, map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.response.id": "chatcmpl-123", "gen_ai.request.max_tokens": 1000,
		"gen_ai.request.temperature": 0.7, "gen_ai.response.finish_reasons": []any{"stop"}, "gen_ai.usage.input_tokens": 12000,
		"gen_ai.usage.output_tokens": 800, "gen_ai.usage.cache_read.input_tokens": 6000, "server.address": "api.openai.com",
		"server.port": 443, "http.request.method": "POST", "http.response.status_code": 200})
	var c Call
	var sc Scratch
	b.ReportAllocs()
	for b.Loop() {
		Scan(m, "chat gpt-4o", lim, &sc, &c)
	}
}

func TestKeyIndexFindsEveryKeyAndNothingElse(t *testing.T) {
	for _, tbl := range [][]keyInfo{keyTable, claudeCodeKeys} {
		ix := newKeyIndex(tbl)
		for _, k := range tbl {
			es, ok := ix.get(k.key)
			require.True(t, ok, k.key)
			found := false
			for _, e := range es {
				found = found || (tbl[e.idx].key == k.key && e.concept == k.concept)
			}
			assert.True(t, found, k.key)
		}
		for _, k := range []string{"", "g", "gen_ai.", "gen_ai.usage.input_token", "gen_ai.usage.input_tokens ", "http.request.method", "x"} {
			_, ok := ix.get(k)
			assert.False(t, ok, k)
		}
	}
}
