// Package estimate counts the tokens of a call's prompt and completion text
// when the span that records the call carries no usage. For the OpenAI
// encodings it runs the real tokenizer (o200k_base, cl100k_base, embedded
// in the binary, offline); for every other model it applies a documented
// character ratio. Either way the result is an estimate: the provider's own
// count also holds the chat template, tool schemas and images the span
// does not show. See docs/pricing.md, "Estimates".
//
// Tokenizing is CPU-heavy (a regular-expression split and a BPE merge per
// piece): call it only for a billable span without usage.
package estimate

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer/codec"
)

// Method is how a count was estimated.
type Method uint8

// The methods.
const (
	// None: nothing was counted.
	None Method = iota
	// O200k is OpenAI's o200k_base tokenizer (gpt-4o, gpt-4.1, gpt-4.5,
	// gpt-5, o1, o3, o4 families).
	O200k
	// Cl100k is OpenAI's cl100k_base tokenizer (gpt-4, gpt-3.5,
	// text-embedding-3, text-embedding-ada-002).
	Cl100k
	// Ratio is BytesPerToken bytes of UTF-8 text per token, rounded up.
	Ratio
)

// Reason is the genai_cost.reason of a call priced from this estimate.
func (m Method) Reason() string {
	switch m {
	case O200k:
		return "estimated:tokenizer:o200k_base"
	case Cl100k:
		return "estimated:tokenizer:cl100k_base"
	case Ratio:
		return "estimated:ratio"
	}
	return ""
}

const (
	// BytesPerToken is the ratio rule for models without a known
	// tokenizer: one token per four bytes of UTF-8 text, rounded up
	// (OpenAI's rule of thumb for English text: "1 token ~= 4 chars").
	BytesPerToken = 4
	// MaxTokenizedBytes bounds the tokenizer's work on one span: past
	// 1 MiB of text, the rest is counted with the ratio rule.
	MaxTokenizedBytes = 1 << 20
)

// MethodFor returns the method for a model id: the tokenizer of an OpenAI
// model family, the ratio rule for everything else. A provider or
// namespace prefix ("openai/gpt-4o", "azure/gpt-4o") is ignored.
func MethodFor(model string) Method {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	switch {
	case hasFamily(m, "gpt-4o"), hasFamily(m, "chatgpt-4o"), hasFamily(m, "gpt-4.1"), hasFamily(m, "gpt-4.5"),
		strings.HasPrefix(m, "gpt-5"), hasFamily(m, "o1"), hasFamily(m, "o3"), hasFamily(m, "o4"):
		return O200k
	case hasFamily(m, "gpt-4"), hasFamily(m, "gpt-3.5"), hasFamily(m, "gpt-35"),
		strings.HasPrefix(m, "text-embedding-3-"), m == "text-embedding-ada-002":
		return Cl100k
	}
	return Ratio
}

// hasFamily reports whether m is family or family followed by "-".
func hasFamily(m, family string) bool {
	return m == family || (strings.HasPrefix(m, family) && m[len(family)] == '-')
}

var (
	o200kOnce, cl100kOnce sync.Once
	o200k, cl100k         *codec.Codec
)

// codecFor builds an encoding on first use: its vocabulary is a map of
// 100k to 200k entries, built once and only in a process that needs it.
func codecFor(m Method) *codec.Codec {
	switch m {
	case O200k:
		o200kOnce.Do(func() { o200k = codec.NewO200kBase(); o200k.SetErrorMode(codec.ErrorModeReplace) })
		return o200k
	case Cl100k:
		cl100kOnce.Do(func() { cl100k = codec.NewCl100kBase(); cl100k.SetErrorMode(codec.ErrorModeReplace) })
		return cl100k
	}
	return nil
}

// Counter counts the tokens of one span's texts with one method, within
// the span's tokenizer budget. The zero value is not usable: use
// NewCounter.
type Counter struct {
	method Method
	codec  *codec.Codec
	// budget is what is left of MaxTokenizedBytes.
	budget int
	// Tokenized and Ratioed are the bytes counted each way, for tests and
	// for anyone who wants to know how much of an estimate is a ratio.
	Tokenized, Ratioed int
}

// NewCounter returns a counter for one span and the model's method.
func NewCounter(model string) *Counter {
	m := MethodFor(model)
	return &Counter{method: m, codec: codecFor(m), budget: MaxTokenizedBytes}
}

// Method is the counter's method.
func (c *Counter) Method() Method { return c.method }

// Count returns the tokens of the texts. Each text is tokenized on its
// own, as long as the span's budget lasts; the bytes past it are counted
// with the ratio rule, rounded up once over all of them.
func (c *Counter) Count(texts []string) int64 {
	var tokens int64
	rest := 0
	for _, t := range texts {
		if c.codec == nil {
			rest += len(t)
			continue
		}
		if len(t) > c.budget {
			cut := c.budget
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			rest += len(t) - cut
			t = t[:cut]
		}
		if t == "" {
			continue
		}
		n, err := c.codec.Count(t)
		if err != nil { // not reached in replace mode; count it by ratio
			rest += len(t)
			continue
		}
		c.budget -= len(t)
		c.Tokenized += len(t)
		tokenizedBytes.Add(int64(len(t)))
		tokens += int64(n)
	}
	c.Ratioed += rest
	return tokens + ratio(rest)
}

// tokenizedBytes counts the bytes every Counter of the process has
// tokenized.
var tokenizedBytes atomic.Int64

// TokenizedBytes returns the bytes tokenized in this process so far, so
// that a test can tell that a path never tokenizes.
func TokenizedBytes() int64 { return tokenizedBytes.Load() }

// ratio is the ratio rule: ceil(bytes / BytesPerToken).
func ratio(bytes int) int64 {
	return int64((bytes + BytesPerToken - 1) / BytesPerToken)
}
