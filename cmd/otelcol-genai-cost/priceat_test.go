package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPriceAt(t *testing.T) {
	out, errOut, code := cli(t, append([]string{"price-at"}, args("--model", "gpt-4o-2024-08-06", "--provider", "openai", "--at", "2026-11-30T10:00:00Z")...)...)
	// The dated id matches gpt-4o's prefix rule; the card of 2024-08-06
	// is in force; batch comes from the provider, flex from the card.
	want := `model:         openai/gpt-4o
matched:       id "gpt-4o-2024-08-06" by rule prefix "gpt-4o-20"; provider openai from --provider "openai"
at:            2026-11-30T10:00:00Z
card:          openai/gpt-4o@2024-08-06#97182a6c
from:          2024-08-06
window:        all day
currency:      USD
rates:         input_mtok       2.5   per 1M tokens
               cache_read_mtok  1.25  per 1M tokens
               output_mtok      10    per 1M tokens
above 272000:  input_mtok       5     per 1M tokens
               cache_read_mtok  2.5   per 1M tokens
               output_mtok      15    per 1M tokens
variants:      batch, flex
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestPriceAtVariant(t *testing.T) {
	out, errOut, code := cli(t, append([]string{"price-at"}, args("--model", "claude-opus-4-6-20260205", "--geo", "us", "--at", "2026-11-30")...)...)
	// geo:us is 1.1 times every token rate, exactly: 6.25 x 1.1 = 6.875;
	// the web search fee is left alone.
	want := `model:           anthropic/claude-opus-4-6
matched:         id "claude-opus-4-6-20260205" by rule prefix "claude-opus-4-6"; provider anthropic told from the model id
at:              2026-11-30T00:00:00Z
card:            anthropic/claude-opus-4-6@2026-02-05#d5d016f6
from:            2026-02-05
window:          all day
currency:        USD
rates:           input_mtok           5      per 1M tokens
                 cache_read_mtok      0.5    per 1M tokens
                 cache_write_mtok     6.25   per 1M tokens
                 cache_write_1h_mtok  10     per 1M tokens
                 output_mtok          25     per 1M tokens
                 web_searches_kcount  10     per 1K web_searches
variants:        geo:us
variant geo:us:  anthropic/claude-opus-4-6@2026-02-05+geo:us#e5bd73fd
from:            2026-02-05
window:          all day
currency:        USD
rates:           input_mtok           5.5    per 1M tokens
                 cache_read_mtok      0.55   per 1M tokens
                 cache_write_mtok     6.875  per 1M tokens
                 cache_write_1h_mtok  11     per 1M tokens
                 output_mtok          27.5   per 1M tokens
                 web_searches_kcount  10     per 1K web_searches
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestPriceAtJSON(t *testing.T) {
	// 10:00 UTC is inside deepseek-chat's 00:30-16:30 window; the Azure
	// provider finds gpt-4o-mini through its fallback.
	for _, c := range []struct {
		args                  []string
		provider, card, input string
		window                string
	}{
		{[]string{"--model", "deepseek-chat", "--at", "2026-11-30T10:00:00Z", "--provider", "deepseek"}, "deepseek", "deepseek/deepseek-chat~0030-1630#7bf9b086", "0.27", "00:30-16:30"},
		{[]string{"--model", "deepseek-chat", "--at", "2026-11-30T20:00:00Z", "--provider", "deepseek"}, "deepseek", "deepseek/deepseek-chat#eecbd262", "0.135", ""},
		{[]string{"--model", "gpt-4o-mini", "--at", "2026-11-30", "--provider", "azure"}, "openai", "openai/gpt-4o-mini#9272c02c", "0.15", ""},
	} {
		out, errOut, code := cli(t, append([]string{"price-at", "--json"}, args(c.args...)...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d, stderr %s", c.args, code, errOut)
		}
		var got priceAtOut
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if got.Provider != c.provider || got.Card.ID != c.card || got.Card.Window != c.window ||
			got.Card.Rates[0] != (rateEntry{Key: "input_mtok", Rate: c.input, Unit: "1M tokens"}) {
			t.Errorf("%v: got %+v", c.args, got)
		}
	}
}

func TestPriceAtNotFound(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", "gpt-4o-mini", "--at", "2026-11-30", "--tier", "priority"}, exitFindings,
			`otelcol-genai-cost price-at: card openai/gpt-4o-mini#9272c02c has no variant for service tier "priority": a call at that tier is unpriced (unpriced_service_tier:priority); variants: batch` + "\n"},
		{[]string{"--model", "claude-opus-4-6", "--at", "2026-01-01"}, exitFindings,
			"otelcol-genai-cost price-at: anthropic/claude-opus-4-6 has no price card in force at 2026-01-01 (cards from: 2026-02-05); a call then is unpriced (no_price_at_time)\n"},
		{[]string{"--model", "gpt-4o-mimi", "--provider", "openai"}, exitFindings,
			`otelcol-genai-cost price-at: model "gpt-4o-mimi": unknown_model: provider openai has no model matching it; near ids: gpt-4o-mini` + "\n"},
		{[]string{"--model", "gpt-9", "--provider", "azure"}, exitFindings,
			`otelcol-genai-cost price-at: model "gpt-9": unknown_model: provider azure.ai.openai (nor its fallbacks openai) has no model matching it; near ids: gpt-4o-mini, gpt-4o` + "\n"},
		{[]string{"--model", "llama-3"}, exitFindings,
			`otelcol-genai-cost price-at: model "llama-3": unknown_provider: no provider could be told from the model id; give --provider (a provider id or name of the catalog: openai, anthropic, deepseek, azure.ai.openai, ...)` + "\n"},
		{[]string{"--at", "2026-11-30"}, exitUsage, "otelcol-genai-cost price-at: --model is required\n"},
		{[]string{"--model", "gpt-4o", "--at", "30/11/2026"}, exitUsage,
			`otelcol-genai-cost price-at: --at: "30/11/2026" is not a date (2026-11-30) or an RFC 3339 time (2026-11-30T10:00:00Z)` + "\n"},
	} {
		out, errOut, code := cli(t, append([]string{"price-at"}, args(c.args...)...)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("price-at %v: exit %d (want %d)\nstderr: %s\nwant:   %s", c.args, code, c.code, errOut, c.want)
		}
	}
}

func TestPriceAtNotes(t *testing.T) {
	// gpt-4o has no geo:us variant: the modifier changes nothing, as for
	// the processor, and a note says so.
	out, errOut, code := cli(t, append([]string{"price-at"}, args("--model", "gpt-4o", "--geo", "us", "--provider", "my-gateway", "--at", "2026-11-30")...)...)
	want := `note: --provider "my-gateway" names no provider of the catalog; the provider was told from the model id
note: card openai/gpt-4o@2024-08-06#97182a6c has no geo:us variant: the modifier changes nothing
`
	if code != exitOK || errOut != want || strings.Contains(out, "variant geo:us") {
		t.Errorf("exit %d\nstderr:\n%s\nwant:\n%s\nstdout:\n%s", code, errOut, want, out)
	}
}
