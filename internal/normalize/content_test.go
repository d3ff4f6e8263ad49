package normalize

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
)

func contentOpts() *Options {
	return &Options{MaxTokens: 100_000_000, MaxCost: lim.MaxCost, Content: true}
}

// TestContentFromRealSpans reads the text of captured spans whose usage
// attributes were removed (testdata/traces/written/estimates): every
// dialect's shape as its library emitted it.
func TestContentFromRealSpans(t *testing.T) {
	fs, err := fixtures.Load("written/estimates")
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range fs {
		n := 0
		fixtures.ForEachSpan(f.Traces, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) {
			var c Call
			if !Scan(s.Attributes(), s.Name(), contentOpts(), new(Scratch), &c) || c.Kind != Inference {
				return
			}
			require.False(t, c.HasUsage(), "%s: %s", f.Name, s.Name())
			ct := c.Content
			require.NotNil(t, ct)
			n++
			key := fmt.Sprintf("%s | %s #%d", f.Name[len("written/estimates/"):], s.Name(), n)
			got[key] = fmt.Sprintf("%s %q -> %s %q", ct.InputFrom, ct.Input, ct.OutputFrom, ct.Output)
		})
	}
	const (
		sys  = "You are a helpful assistant."
		long = "You are a helpful assistant. <long cached context>"
		q    = "What is the capital of France?"
		a    = "The capital of France is Paris."
	)
	want := map[string]string{
		// OpenLIT: the system prompt in gen_ai.system_instructions and as a
		// system message: counted once.
		"openlit-openai-chat-cached-no-usage | chat gpt-4o-mini #1": fmt.Sprintf("gen_ai.input.messages %q -> gen_ai.output.messages %q", []string{sys, q}, []string{a}),
		"traceloop-anthropic-messages-cache-stream-no-usage | chat claude-sonnet-4-5 #1": fmt.Sprintf("gen_ai.input.messages %q -> gen_ai.output.messages %q",
			[]string{long, q}, []string{a}),
		"vercel-ai7-otel-openai-generatetext-no-usage | chat gpt-4o-mini #1":      fmt.Sprintf("gen_ai.input.messages %q -> gen_ai.output.messages %q", []string{sys, q}, []string{a}),
		"openinference-openai-chat-cached-no-usage | OpenAI Chat Completions #1":  fmt.Sprintf("%s %q -> %s %q", fromOIInput, []string{sys, q}, fromOIOutput, []string{a}),
		"openinference-anthropic-messages-cache-no-usage | Anthropic Messages #1": fmt.Sprintf("%s %q -> %s %q", fromOIInput, []string{q}, fromOIOutput, []string{a}),
		"langchain-openinference-openai-chat-stream-no-usage | ChatOpenAI #1":     fmt.Sprintf("%s %q -> %s %q", fromOIInput, []string{sys, q}, fromOIOutput, []string{a}),
		"vercel-ai5-anthropic-generatetext-cache-no-usage | ai.generateText.doGenerate #1": fmt.Sprintf("ai.prompt.messages %q -> ai.response.text %q",
			[]string{sys, q}, []string{a}),
	}
	// Vercel tool calls: the first step wrote a tool call, the second the
	// answer; the tool result is in the second step's prompt.
	wq := "What is the weather in Paris?"
	args := `{"city":"Paris"}`
	want["vercel-ai6-openai-generatetext-tool-2steps-no-usage | ai.generateText.doGenerate #1"] = fmt.Sprintf(
		"ai.prompt.messages %q -> ai.response.toolCalls %q", []string{sys, wq}, []string{args})
	want["vercel-ai6-openai-generatetext-tool-2steps-no-usage | ai.generateText.doGenerate #2"] = fmt.Sprintf(
		"ai.prompt.messages %q -> ai.response.text %q", []string{sys, wq, args, `{"type":"json","value":{"city":"Paris","condition":"sunny","temperatureC":21}}`}, []string{a})
	for k, w := range want {
		assert.Equal(t, w, got[k], k)
	}
	for k, g := range got {
		_, ok := want[k]
		assert.True(t, ok, "not checked: %s: %s", k, g)
	}
}

func scanContent(t *testing.T, name string, opts *Options, set func(pcommon.Map)) (Call, bool) {
	t.Helper()
	attrs := pcommon.NewMap()
	set(attrs)
	var c Call
	ok := Scan(attrs, name, opts, new(Scratch), &c)
	return c, ok
}

// The numbered keys of OpenLLMetry and OpenInference, read by the second
// pass on spans without usage only.
func TestContentNumberedKeys(t *testing.T) {
	c, ok := scanContent(t, "openai.chat", contentOpts(), func(a pcommon.Map) {
		a.PutStr("gen_ai.system", "openai")
		a.PutStr("llm.request.type", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.prompt.0.role", "system")
		a.PutStr("gen_ai.prompt.0.content", "Be brief.")
		a.PutStr("gen_ai.prompt.1.role", "user")
		a.PutStr("gen_ai.prompt.1.content", `[{"type":"text","text":"Hi"}]`) // a list of parts, as JSON
		a.PutStr("gen_ai.prompt.name", "not a message")
		a.PutStr("gen_ai.completion.0.role", "assistant")
		a.PutStr("gen_ai.completion.0.content", "Hello.")
		a.PutStr("gen_ai.completion.0.tool_calls.0.name", "get_weather")
		a.PutStr("gen_ai.completion.0.tool_calls.0.arguments", `{"city":"Paris"}`)
	})
	require.True(t, ok)
	assert.Equal(t, Inference, c.Kind)
	assert.Equal(t, Content{Input: []string{"Be brief.", "Hi"}, Output: []string{"Hello.", `{"city":"Paris"}`},
		InputFrom: fromOLLPrompt, OutputFrom: fromOLLCompletion}, *c.Content)

	c, ok = scanContent(t, "ChatModel", contentOpts(), func(a pcommon.Map) {
		a.PutStr("openinference.span.kind", "LLM")
		a.PutStr("llm.model_name", "claude-sonnet-4-5")
		a.PutStr("input.value", `{"messages":[{"role":"user","content":"Q"}]}`)
		a.PutStr("llm.input_messages.0.message.role", "user")
		a.PutStr("llm.input_messages.0.message.contents.0.message_content.type", "text")
		a.PutStr("llm.input_messages.0.message.contents.0.message_content.text", "Q")
		a.PutStr("llm.output_messages.0.message.content", "A")
		a.PutStr("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "f")
		a.PutStr("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", `{"x":1}`)
		a.PutStr("output.value", "A")
	})
	require.True(t, ok)
	assert.Equal(t, Content{Input: []string{"Q"}, Output: []string{"A", `{"x":1}`}, InputFrom: fromOIInput, OutputFrom: fromOIOutput}, *c.Content)
}

// Two dialects on one span are never added: the first in order wins.
func TestContentPrecedence(t *testing.T) {
	c, _ := scanContent(t, "chat gpt-4o", contentOpts(), func(a pcommon.Map) {
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("input.value", "raw request")
		a.PutStr("gen_ai.prompt.0.content", "numbered")
		a.PutStr("ai.prompt", `{"prompt":"vercel"}`)
		a.PutStr("gen_ai.system_instructions", "Be brief.") // the conventions' plain-text form
		a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"otel"}]}]`)
		a.PutStr("output.value", "raw response")
		a.PutStr("ai.response.text", "vercel answer")
	})
	assert.Equal(t, []string{"Be brief.", "otel"}, c.Content.Input)
	assert.Equal(t, []string{"vercel answer"}, c.Content.Output)
	assert.Equal(t, "ai.response.text", c.Content.OutputFrom)

	c, _ = scanContent(t, "ChatModel", contentOpts(), func(a pcommon.Map) {
		a.PutStr("openinference.span.kind", "LLM")
		a.PutStr("llm.model_name", "gpt-4o")
		a.PutStr("input.value", `{"model":"gpt-4o","messages":[{"role":"user","content":"Q"}]}`)
		a.PutStr("output.value", `{"choices":[{"message":{"role":"assistant","content":"A"}}]}`)
	})
	assert.Equal(t, Content{Input: []string{"Q"}, Output: []string{"A"}, InputFrom: "input.value", OutputFrom: "output.value"}, *c.Content)
	assert.True(t, c.Content.Complete())
}

// Text is read only on inference spans without usage, and only when asked.
func TestContentOnlyWithoutUsage(t *testing.T) {
	set := func(usage bool) func(pcommon.Map) {
		return func(a pcommon.Map) {
			a.PutStr("gen_ai.operation.name", "chat")
			a.PutStr("gen_ai.request.model", "gpt-4o")
			a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Q"}]}]`)
			a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"A"}]}]`)
			a.PutStr("gen_ai.prompt.0.content", "Q")
			if usage {
				a.PutInt("gen_ai.usage.input_tokens", 1)
			}
		}
	}
	c, _ := scanContent(t, "chat", contentOpts(), set(true))
	assert.True(t, c.HasUsage())
	assert.Nil(t, c.Content, "a span with usage: no text read")
	c, _ = scanContent(t, "chat", &Options{MaxTokens: 100, MaxCost: lim.MaxCost}, set(false))
	assert.Nil(t, c.Content, "Options.Content off")
	c, _ = scanContent(t, "chat", contentOpts(), set(false))
	assert.True(t, c.Content.Complete())

	// An aggregate span (an agent) is never billed: no text read.
	c, _ = scanContent(t, "invoke_agent", contentOpts(), func(a pcommon.Map) {
		a.PutStr("gen_ai.operation.name", "invoke_agent")
		a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Q"}]}]`)
	})
	assert.Equal(t, Aggregate, c.Kind)
	assert.Nil(t, c.Content)

	// input.value and output.value alone do not make a GenAI span: every
	// OpenInference span has them.
	_, ok := scanContent(t, "chain", contentOpts(), func(a pcommon.Map) {
		a.PutStr("input.value", "x")
		a.PutStr("output.value", "y")
	})
	assert.False(t, ok)
}

// The prompt alone is not enough to estimate a call, except an embedding's.
func TestContentComplete(t *testing.T) {
	c, _ := scanContent(t, "chat", contentOpts(), func(a pcommon.Map) {
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Q"}]}]`)
	})
	assert.False(t, c.Content.Complete(), "no completion: a failed call, or one recorded in part")

	c, _ = scanContent(t, "embeddings", contentOpts(), func(a pcommon.Map) {
		a.PutStr("gen_ai.operation.name", "embeddings")
		a.PutStr("gen_ai.request.model", "text-embedding-3-small")
		a.PutStr("input.value", "The quick brown fox")
	})
	assert.True(t, c.Content.Complete())

	c, _ = scanContent(t, "ai.embedMany.doEmbed", contentOpts(), func(a pcommon.Map) {
		a.PutStr("ai.operationId", "ai.embedMany.doEmbed")
		a.PutStr("ai.model.id", "text-embedding-3-small")
		vs := a.PutEmptySlice("ai.values")
		vs.AppendEmpty().SetStr(`"sunny day"`)
		vs.AppendEmpty().SetStr(`"rainy day"`)
	})
	assert.Equal(t, Content{Input: []string{"sunny day", "rainy day"}, InputFrom: "ai.values", Embedding: true}, *c.Content)
	assert.True(t, c.Content.Complete())
}
