// Package normalize reads what a span tells about an LLM call, in any of the
// attribute dialects real instrumentation libraries emit, and turns it into
// one canonical form: the kind of span, the provider and model named, the
// token counts as exclusive meters, and any cost the emitter reported.
//
// It never guesses silently: for each concept the first key present in the
// precedence table wins (values of several keys are never summed), and a
// value that is not a sane token count makes the call invalid, with the key
// named.
package normalize

import (
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-genai/otelcol-genai/internal/genaiconv"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Kind tells what a span is.
type Kind uint8

const (
	// NotGenAI spans carry no GenAI attributes that matter for cost; they
	// pass through untouched.
	NotGenAI Kind = iota
	// Aggregate spans (agents, workflows, chains, tools, SDK wrapper spans)
	// may repeat their children's usage; they are never billed.
	Aggregate
	// Inference spans are model calls: billable.
	Inference
)

// Problem describes an attribute value that cannot be trusted.
type Problem struct {
	// Reason is one of empty, negative, not_a_number, fractional,
	// too_large, wrong_type.
	Reason string
	// Key is the attribute that holds the value.
	Key string
}

// Reported is a cost found on the span.
type Reported struct {
	Present bool
	Amount  money.Nanos
	// Currency is the ISO 4217 code; USD for the dialects that imply it.
	Currency string
	// Source is "provider" for a cost a provider or gateway returned and
	// "local" for one an emitter computed from its own prices.
	Source string
	// Key is the attribute the amount came from.
	Key string
	// InSemconv tells that the span has gen_ai.usage.cost.amount, usable
	// or not; the processor then never writes that attribute.
	InSemconv bool
	// Problem is set when a cost attribute was present but unusable.
	Problem Problem
}

// Call is what one span tells about a call. The zero value is ready to use;
// Scan resets it.
type Call struct {
	Kind Kind
	// Tokens holds the raw counts per token concept, as emitted.
	Tokens [numTokenConcepts]int64
	// Has tells which token concepts were present.
	Has     uint32
	Problem Problem

	// Providers are provider attribute values, best first.
	Providers [6]string
	NProv     int
	// ResponseModel and RequestModel are the model ids named.
	ResponseModel, RequestModel string
	Server                      string
	ResponseID                  string
	Reported                    Reported

	// VercelDetails is set when the span carries Vercel AI SDK v6+
	// per-cache input details.
	VercelDetails bool
	// ClaudeCode is set for Claude Code's flat-attribute spans.
	ClaudeCode bool

	// ServiceTier is the tier the call was served at, normalised by
	// Tier (standard, batch, flex, priority, scale, fast, or an
	// unknown value in lower case); "" when the span names none. The tier
	// that served the call wins over the tier asked for.
	ServiceTier string
	// InferenceGeo is where the call asked inference to run, when that is
	// priced apart (Anthropic's inference_geo "us"); "" for the default.
	InferenceGeo string

	// Content is the prompt and completion text, set only when
	// Options.Content is, for an inference span without usage; nil
	// otherwise. A pointer, so that the Call of every other span stays as
	// small to clear and copy as it was.
	Content *Content

	// Description, filled only when Options.Describe is set.
	Description
}

func (c *Call) has(k concept) bool { return c.Has&(1<<k) != 0 }

// HasUsage reports whether the span carries any token count.
func (c *Call) HasUsage() bool { return c.Has&((1<<cTotal)-1) != 0 }

// Options tune Scan.
type Options struct {
	// MaxTokens is the largest token count accepted for one call.
	MaxTokens int64
	// MaxCost is the largest reported cost accepted for one call.
	MaxCost money.Nanos
	// InferenceOps and AggregateOps are operation names (lower case) that
	// override the built-in lists.
	InferenceOps, AggregateOps map[string]bool
	// Describe fills Call.Description, the models, providers, server and
	// response id, and reads nothing else: no usage, no cost, no kind. The
	// exporter describes a call the processor has priced, with the very
	// same keys; the processor does not need the description.
	Describe bool
	// Content fills Call.Content on inference spans that carry no usage
	// (and only on those: spans with usage never pay for it), so that
	// their tokens can be estimated.
	Content bool
}

// Scratch is Scan's working memory. Reusing one saves clearing a kilobyte
// per span; a Scratch must not be used by two goroutines at once.
type Scratch struct{ st scanState }

// scanState holds, per concept, the value of the best key seen so far; only
// the entries whose bit is set in found are meaningful.
type scanState struct {
	val   [numConcepts]pcommon.Value
	rank  [numConcepts]uint8
	key   [numConcepts]uint16
	found uint64
}

// Scan reads span attributes into c. It reports whether the span is a GenAI
// span at all; when it is not, c is not meaningful and the span must be left
// alone. spanName is used to recognise dialects known by their span names.
func Scan(attrs pcommon.Map, spanName string, opts *Options, scratch *Scratch, c *Call) bool {
	if !mayBeCall(attrs, spanName) {
		return false
	}
	*c = Call{}
	st := &scratch.st
	st.found = 0
	idx, table := genAIIndex, keyTable
	if strings.HasPrefix(spanName, "claude_code.") {
		idx, table, c.ClaudeCode = claudeCodeIndex, claudeCodeKeys, true
	}
	significant := false
	var provs [len(Call{}.Providers)]string
	for k, v := range attrs.All() {
		if !c.ClaudeCode && !mayBeGenAI(k) {
			continue
		}
		es, ok := idx.get(k)
		if !ok {
			continue
		}
		for _, e := range es {
			if st.found&(1<<e.concept) != 0 && st.rank[e.concept] <= e.rank {
				continue
			}
			st.found |= 1 << e.concept
			st.val[e.concept], st.rank[e.concept], st.key[e.concept] = v, e.rank, e.idx
			if e.concept != cServer && e.concept != cResponseID && e.concept < cStreaming {
				significant = true
			}
		}
		if e := es[0]; e.concept == cProvider && int(e.rank) < len(provs) {
			// Keep every provider value, so that a framework's name in
			// gen_ai.system does not hide the provider in llm.provider.
			provs[e.rank] = v.AsString()
		}
	}
	if !significant {
		return false
	}
	for _, p := range provs {
		if p != "" {
			c.Providers[c.NProv] = p
			c.NProv++
		}
	}
	c.ResponseModel = str(st, cResponseModel)
	c.RequestModel = str(st, cRequestModel)
	c.Server = str(st, cServer)
	c.ResponseID = str(st, cResponseID)
	if opts.Describe {
		c.describe(st, spanName)
		return true
	}
	c.readTokens(st, table, opts.MaxTokens)
	c.VercelDetails = st.found&(1<<cVercelDetails) != 0
	c.readReported(st, table, opts.MaxCost)
	c.Kind = classify(st, c, opts, spanName)
	if c.Kind == Inference && st.found&(1<<cResponseTier|1<<cRequestTier|1<<cProviderMetadata|1<<cInvocationParams) != 0 {
		c.readTier(st)
	}
	if opts.Content && c.Kind == Inference && !c.HasUsage() && c.Problem.Reason == "" {
		c.readContent(st, attrs)
	}
	return true
}

// mayBeCall is the fast path for spans of other kinds: it touches no state
// and stops at the first key that could matter.
func mayBeCall(attrs pcommon.Map, spanName string) bool {
	if len(spanName) > 12 && spanName[:12] == "claude_code." {
		return true
	}
	for k := range attrs.All() {
		// server.address, input.value and output.value are on spans of
		// other kinds too: alone, they do not make a GenAI span.
		if mayBeGenAI(k) && k != "server.address" && k != "input.value" && k != "output.value" {
			return true
		}
	}
	return false
}

func str(st *scanState, c concept) string {
	if st.found&(1<<c) == 0 {
		return ""
	}
	return strings.TrimSpace(st.val[c].AsString())
}

func (c *Call) readTokens(st *scanState, table []keyInfo, maxTokens int64) {
	// The token concepts present, minus the two read after the counts,
	// only where the counts leave gaps.
	for found := st.found & (1<<numTokenConcepts - 1) &^ (1<<cTokenDetails | 1<<cProviderMetadata); found != 0; found &= found - 1 {
		k := concept(bits.TrailingZeros64(found))
		n, reason := parseCount(st.val[k], maxTokens)
		if reason != "" {
			if c.Problem.Reason == "" {
				c.Problem = Problem{Reason: reason, Key: table[st.key[k]].key}
			}
			continue
		}
		c.Tokens[k] = n
		c.Has |= 1 << k
	}
	if st.found&(1<<cTokenDetails) != 0 {
		c.readTokenDetails(st.val[cTokenDetails], table[st.key[cTokenDetails]].key, maxTokens)
	}
	if st.found&(1<<cProviderMetadata) != 0 && (!c.has(cCacheRead) || !c.has(cCacheWrite)) {
		c.readProviderMetadata(st.val[cProviderMetadata].AsString(), maxTokens)
	}
}

// anthropicMetadata is the part of the Vercel AI SDK's providerMetadata
// that holds Anthropic's raw usage.
type anthropicMetadata struct {
	Anthropic struct {
		Usage struct {
			CacheRead     *int64 `json:"cache_read_input_tokens"`
			CacheCreation *int64 `json:"cache_creation_input_tokens"`
			Split         struct {
				TTL5m *int64 `json:"ephemeral_5m_input_tokens"`
				TTL1h *int64 `json:"ephemeral_1h_input_tokens"`
			} `json:"cache_creation"`
		} `json:"usage"`
	} `json:"anthropic"`
}

// readProviderMetadata fills the cache counts that Vercel AI SDK v5 leaves
// out of its usage attributes from Anthropic's raw usage, which it keeps in
// ai.response.providerMetadata.
func (c *Call) readProviderMetadata(s string, maxTokens int64) {
	if !strings.Contains(s, `"cache_read_input_tokens"`) && !strings.Contains(s, `"cache_creation_input_tokens"`) {
		return
	}
	var md anthropicMetadata
	if json.Unmarshal([]byte(s), &md) != nil {
		return
	}
	u := &md.Anthropic.Usage
	for _, f := range [...]struct {
		v *int64
		k concept
	}{{u.CacheRead, cCacheRead}, {u.CacheCreation, cCacheWrite}, {u.Split.TTL5m, cCacheWrite5m}, {u.Split.TTL1h, cCacheWrite1h}} {
		if f.v != nil && *f.v >= 0 && *f.v <= maxTokens && !c.has(f.k) {
			c.Tokens[f.k] = *f.v
			c.Has |= 1 << f.k
		}
	}
}

// readTokenDetails reads LangSmith's gen_ai.usage.input_token_details, a
// Python dict printed as a string: {'cache_read': 100, 'cache_creation': 20}.
// Its counts are used only where no better key gave them, and an absurd
// one makes the call invalid, as from any other key.
func (c *Call) readTokenDetails(v pcommon.Value, key string, maxTokens int64) {
	s := v.AsString()
	for _, d := range [...]struct {
		name string
		k    concept
	}{{"cache_read", cCacheRead}, {"cache_creation", cCacheWrite}} {
		if c.has(d.k) {
			continue
		}
		i := strings.Index(s, "'"+d.name+"'")
		if i < 0 {
			i = strings.Index(s, `"`+d.name+`"`)
		}
		if i < 0 {
			continue
		}
		rest := strings.TrimLeft(s[i+len(d.name)+2:], " :")
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 0 {
			continue
		}
		n, err := strconv.ParseInt(rest[:j], 10, 64)
		reason := "too_large" // only digits: the one error is overflow
		if err == nil {
			n, reason = checkCount(n, maxTokens)
		}
		if reason != "" {
			if c.Problem.Reason == "" {
				c.Problem = Problem{Reason: reason, Key: key}
			}
			continue
		}
		c.Tokens[d.k] = n
		c.Has |= 1 << d.k
	}
}

// parseCount reads a token count from an int, a double or a numeric string
// (Spring AI sends strings). It returns a reason when the value is not a
// sane count.
func parseCount(v pcommon.Value, limit int64) (n int64, reason string) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return checkCount(v.Int(), limit)
	case pcommon.ValueTypeDouble:
		return countFromFloat(v.Double(), limit)
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		if s == "" {
			return 0, "empty"
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return checkCount(n, limit)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if strings.HasPrefix(s, "-") {
				return 0, "negative"
			}
			return 0, "not_a_number"
		}
		return countFromFloat(f, limit)
	}
	return 0, "wrong_type"
}

func countFromFloat(f float64, limit int64) (n int64, reason string) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, "not_a_number"
	case f < 0:
		return 0, "negative"
	case f > float64(limit):
		return 0, "too_large"
	case f != math.Trunc(f):
		return 0, "fractional"
	}
	return int64(f), ""
}

func checkCount(count, limit int64) (n int64, reason string) {
	if count < 0 {
		return 0, "negative"
	}
	if count > limit {
		return 0, "too_large"
	}
	return count, ""
}

func (c *Call) readReported(st *scanState, table []keyInfo, maxCost money.Nanos) {
	var k concept
	switch {
	case st.found&(1<<cCostAmount) != 0:
		k = cCostAmount
	case st.found&(1<<cCostGateway) != 0:
		k = cCostGateway
	case st.found&(1<<cCostEmitter) != 0:
		k = cCostEmitter
	default:
		return
	}
	r := &c.Reported
	r.Key = table[st.key[k]].key
	r.InSemconv = k == cCostAmount
	amount, ok := genaiconv.ParseAmount(st.val[k])
	if !ok || amount < 0 || amount > maxCost {
		reason := "not_a_number"
		if ok && amount < 0 {
			reason = "negative"
		} else if ok {
			reason = "too_large"
		}
		r.Problem = Problem{Reason: reason, Key: r.Key}
		return
	}
	r.Present, r.Amount = true, amount
	switch k {
	case cCostAmount:
		r.Currency = strings.ToUpper(str(st, cCostCurrency))
		r.Source = str(st, cCostSource)
		if len(r.Currency) != 3 {
			// An amount without a currency cannot be compared or summed.
			r.Present = false
			r.Problem = Problem{Reason: "no_currency", Key: "gen_ai.usage.cost.currency"}
		}
		if r.Source != "provider" && r.Source != "local" {
			r.Source = "provider"
		}
	case cCostGateway:
		r.Currency, r.Source = "USD", "provider"
	default:
		r.Currency, r.Source = "USD", "local"
	}
}
