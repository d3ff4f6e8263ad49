package estimate

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Counts checked by hand against the word splits, and against the OpenAI
// cookbook "How to count tokens with tiktoken" (compare_encodings), which
// gives "tiktoken is great!" as cl100k_base ids 83 1609 5963 374 2294 0 and
// お誕生日おめでとう as 9 cl100k_base tokens and 8 o200k_base tokens.
func TestCountExact(t *testing.T) {
	for _, tc := range []struct {
		text          string
		o200k, cl100k int64
	}{
		{"hello world", 2, 2},
		{"The capital of France is Paris.", 7, 7}, // The| capital| of| France| is| Paris|.
		{"You are a helpful assistant.", 6, 6},
		{"tiktoken is great!", 6, 6},
		{"antidisestablishmentarianism", 6, 6},
		{"2 + 2 = 4", 7, 7},
		{"お誕生日おめでとう", 8, 9},
		{"", 0, 0},
	} {
		assert.Equal(t, tc.o200k, NewCounter("gpt-4o").Count([]string{tc.text}), "o200k_base %q", tc.text)
		assert.Equal(t, tc.cl100k, NewCounter("gpt-4").Count([]string{tc.text}), "cl100k_base %q", tc.text)
	}
	ids, _, err := codecFor(Cl100k).Encode("tiktoken is great!")
	require.NoError(t, err)
	assert.Equal(t, []uint{83, 1609, 5963, 374, 2294, 0}, ids)
	// Several texts: each is tokenized on its own and the counts add.
	assert.Equal(t, int64(9), NewCounter("gpt-4o-mini").Count([]string{"hello world", "The capital of France is Paris."}))
}

func TestMethodFor(t *testing.T) {
	for model, want := range map[string]Method{
		"gpt-4o": O200k, "gpt-4o-mini-2024-07-18": O200k, "chatgpt-4o-latest": O200k, "gpt-4.1-nano": O200k,
		"gpt-4.5-preview": O200k, "gpt-5": O200k, "gpt-5-mini": O200k, "gpt-5.1-codex": O200k, "o1": O200k,
		"o1-mini": O200k, "o3": O200k, "o3-mini": O200k, "o4-mini": O200k, "openai/gpt-4o": O200k, "GPT-4o": O200k,
		"gpt-4": Cl100k, "gpt-4-turbo": Cl100k, "gpt-4-0613": Cl100k, "gpt-3.5-turbo": Cl100k, "gpt-35-turbo": Cl100k,
		"text-embedding-3-small": Cl100k, "text-embedding-3-large": Cl100k, "text-embedding-ada-002": Cl100k,
		"claude-sonnet-4-5": Ratio, "gemini-2.5-pro": Ratio, "o10": Ratio, "o3x": Ratio, "gpt-40": Ratio, "": Ratio,
		"mistral-large-latest": Ratio, "anthropic/claude-haiku-4.5": Ratio,
	} {
		assert.Equal(t, want, MethodFor(model), model)
	}
	assert.Equal(t, "estimated:tokenizer:o200k_base", O200k.Reason())
	assert.Equal(t, "estimated:tokenizer:cl100k_base", Cl100k.Reason())
	assert.Equal(t, "estimated:ratio", Ratio.Reason())
	assert.Empty(t, None.Reason())
}

// The ratio rule: one token per 4 bytes of UTF-8, rounded up once over
// all the texts counted.
func TestRatio(t *testing.T) {
	c := NewCounter("claude-sonnet-4-5")
	assert.Equal(t, Ratio, c.Method())
	assert.Equal(t, int64(3), c.Count([]string{"hello world"}))     // 11 bytes
	assert.Equal(t, int64(3), c.Count([]string{"hello", " world"})) // 11 bytes together, not 2+2
	assert.Equal(t, int64(7), c.Count([]string{"お誕生日おめでとう"}))       // 27 bytes
	assert.Equal(t, int64(1), c.Count([]string{"a"}))               //
	assert.Equal(t, int64(0), c.Count(nil))                         //
	assert.Equal(t, int64(2), c.Count([]string{"12345678"}))        // exact multiple
	assert.Zero(t, c.Tokenized)
}

// At most MaxTokenizedBytes of one span's text is tokenized; the rest is
// counted with the ratio rule.
func TestBound(t *testing.T) {
	word := "hello " // one o200k token per word
	n := MaxTokenizedBytes / len(word)
	big := strings.Repeat(word, n) // just under 1 MiB
	c := NewCounter("gpt-4o")
	got := c.Count([]string{big})
	assert.Equal(t, len(big), c.Tokenized)
	assert.InDelta(t, n, got, 2)
	// The budget is per span: a second text past it is all ratio.
	tail := strings.Repeat("x", 4000)
	assert.Equal(t, int64(1000), c.Count([]string{strings.Repeat("a", MaxTokenizedBytes-len(big)) + tail})-countA(MaxTokenizedBytes-len(big)))
	assert.Equal(t, MaxTokenizedBytes, c.Tokenized)
	assert.Equal(t, 4000, c.Ratioed)

	// A single text over the bound is cut at a rune boundary.
	c = NewCounter("gpt-4")
	huge := strings.Repeat("é", MaxTokenizedBytes) // 2 MiB
	c.Count([]string{huge})
	assert.Equal(t, MaxTokenizedBytes, c.Tokenized)
	assert.Equal(t, MaxTokenizedBytes, c.Ratioed)
}

// countA counts n bytes of "a" with a fresh counter, to subtract the
// tokenized part of a mixed count.
func countA(n int) int64 {
	return NewCounter("gpt-4o").Count([]string{strings.Repeat("a", n)})
}

func TestAppendTexts(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"plain", "What is the capital of France?", []string{"What is the capital of France?"}},
		{"otel messages", `[{"role":"system","parts":[{"type":"text","content":"You are a helpful assistant."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			[]string{"You are a helpful assistant.", "Hi"}},
		{"otel tool call", `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}]}]`,
			[]string{`{"city":"Paris"}`}},
		{"system instructions", `[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}]`, []string{"Be brief."}},
		{"vercel prompt", `{"system":"S","messages":[{"role":"user","content":[{"type":"text","text":"Q"}],"providerOptions":{"anthropic":{"cacheControl":{"type":"ephemeral"}}}}]}`,
			[]string{"Q", "S"}},
		{"json inside a part", `[{"role":"system","parts":[{"type":"text","content":"[{\"type\":\"text\",\"text\":\"ctx\"}]"}]}]`, []string{"ctx"}},
		{"openai request", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Q"}],"max_tokens":512}`, []string{"Q"}},
		{"json without text", `{"capital":"Paris","country":"France"}`, []string{`{"capital":"Paris","country":"France"}`}},
		{"broken json", `[{"role":`, []string{`[{"role":`}},
		{"blank", "  ", nil},
	} {
		got := AppendTexts(nil, tc.in)
		assert.True(t, slices.Equal(tc.want, got), "%s: %q", tc.name, got)
	}
}
