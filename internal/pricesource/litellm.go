package pricesource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// liteLLMProviders maps LiteLLM's litellm_provider values to catalog ids. A
// value not listed becomes a provider of that id.
var liteLLMProviders = map[string]string{
	"openai":                        "openai",
	"text-completion-openai":        "openai",
	"anthropic":                     "anthropic",
	"azure":                         "azure.ai.openai",
	"azure_text":                    "azure.ai.openai",
	"azure_ai":                      "azure.ai.openai",
	"bedrock":                       "aws.bedrock",
	"bedrock_converse":              "aws.bedrock",
	"bedrock_mantle":                "aws.bedrock",
	"gemini":                        "gcp.gen_ai",
	"vertex_ai":                     "gcp.gen_ai",
	"vertex_ai-language-models":     "gcp.gen_ai",
	"vertex_ai-anthropic_models":    "gcp.gen_ai",
	"vertex_ai-mistral_models":      "gcp.gen_ai",
	"vertex_ai-llama_models":        "gcp.gen_ai",
	"vertex_ai-embedding-models":    "gcp.gen_ai",
	"vertex_ai-ai21_models":         "gcp.gen_ai",
	"vertex_ai-qwen_models":         "gcp.gen_ai",
	"vertex_ai-deepseek_models":     "gcp.gen_ai",
	"vertex_ai-openai_models":       "gcp.gen_ai",
	"vertex_ai-text-models":         "gcp.gen_ai",
	"vertex_ai-zai_models":          "gcp.gen_ai",
	"vertex_ai-minimax_models":      "gcp.gen_ai",
	"vertex_ai-moonshot_models":     "gcp.gen_ai",
	"vertex_ai-image-models":        "gcp.gen_ai",
	"vertex_ai-video-models":        "gcp.gen_ai",
	"mistral":                       "mistral_ai",
	"codestral":                     "mistral_ai",
	"text-completion-codestral":     "mistral_ai",
	"xai":                           "x_ai",
	"deepseek":                      "deepseek",
	"groq":                          "groq",
	"cohere":                        "cohere",
	"cohere_chat":                   "cohere",
	"perplexity":                    "perplexity",
	"openrouter":                    "openrouter",
	"together_ai":                   "together_ai",
	"fireworks_ai":                  "fireworks",
	"fireworks_ai-embedding-models": "fireworks",
	"moonshot":                      "moonshot_ai",
	"voyage":                        "voyage_ai",
	"github_copilot":                "github-copilot", // genai-prices' id
}

// liteLLMModes are the modes whose models are priced per token; entries of
// other modes (image generation, speech, transcription, rerank, search, OCR,
// ...) are priced per image, second, character, query or page, and skipped.
var liteLLMModes = []string{"chat", "completion", "responses", "embedding", "realtime", "moderation", ""}

// liteLLMRate is a LiteLLM per-unit price key and the catalog key it maps to;
// shift is the power of ten from LiteLLM's unit (one token, one request) to
// the catalog's (a million tokens, a thousand requests).
type liteLLMRate struct {
	key   string
	shift int
}

// liteLLMRates maps LiteLLM's token and request prices to catalog keys.
var liteLLMRates = map[string]liteLLMRate{
	"input_cost_per_token":                      {"input_mtok", 6},
	"cache_read_input_token_cost":               {"cache_read_mtok", 6},
	"input_cost_per_token_cache_hit":            {"cache_read_mtok", 6}, // DeepSeek's older name
	"cache_creation_input_token_cost":           {"cache_write_mtok", 6},
	"cache_creation_input_token_cost_above_1hr": {"cache_write_1h_mtok", 6}, // the 1-hour TTL class, not a threshold
	"output_cost_per_token":                     {"output_mtok", 6},
	"output_cost_per_reasoning_token":           {"output_reasoning_mtok", 6},
	"input_cost_per_audio_token":                {"input_audio_mtok", 6},
	"cache_read_input_audio_token_cost":         {"cache_audio_read_mtok", 6},
	"output_cost_per_audio_token":               {"output_audio_mtok", 6},
	"input_cost_per_image_token":                {"input_image_mtok", 6},
	"cache_read_input_image_token_cost":         {"cache_image_read_mtok", 6},
	"output_cost_per_image_token":               {"output_image_mtok", 6},
	"input_cost_per_video_token":                {"input_video_mtok", 6},
	"output_cost_per_video_token":               {"output_video_mtok", 6},
	"input_cost_per_request":                    {"requests_kcount", 3},
}

// liteLLMTierRE matches a long-context price: the rate of the whole request
// when its input exceeds N thousand tokens.
var liteLLMTierRE = regexp.MustCompile(`^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|cache_creation_input_token_cost_above_1hr)_above_(\d+)k_tokens$`)

// liteLLMInclusive are the providers whose long-context prices LiteLLM
// applies from the threshold on (its _INCLUSIVE_THRESHOLD_PROVIDERS), and
// pricing_tier_threshold_inclusive marks such an entry: their tiers are
// written "above" one token less.
var liteLLMInclusive = []string{"xai"}

// liteLLMVariantRE matches batch, flex and priority prices; the catalog has
// no variants yet.
var liteLLMVariantRE = regexp.MustCompile(`_(batches|flex|priority)$`)

// liteLLMPriceRE tells a key that may carry a price from the capability and
// limit fields, so that no price key is passed over unreported.
var liteLLMPriceRE = regexp.MustCompile(`cost|pric|multiplier|uplift|provider_specific_entry`)

// bedrockRouteRE matches LiteLLM's region and commitment route prefixes of
// Bedrock keys ("bedrock/us-east-1/...", "bedrock/*/1-month-commitment/...").
var bedrockRouteRE = regexp.MustCompile(`^(\*|[a-z]{2}(-gov)?-[a-z]+-\d+)/`)

// liteLLMOrder is the order rates are written in, the catalog's.
var liteLLMOrder = []string{
	"input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "output_mtok", "output_reasoning_mtok",
	"input_audio_mtok", "cache_audio_read_mtok", "output_audio_mtok", "input_image_mtok", "cache_image_read_mtok",
	"output_image_mtok", "input_video_mtok", "output_video_mtok", "web_searches_kcount", "requests_kcount",
}

type liteLLMModel struct {
	key   string // the LiteLLM key it was read from
	id    string
	rates map[string]string
	tiers map[int64]map[string]string
	// drops are the reasons prices of the entry were not imported, counted
	// in the report once the model is kept.
	drops []string
	// inclusive: a long-context price applies from N tokens, not above N.
	inclusive bool
}

type liteLLMProvider struct {
	id     string
	slugs  []string
	models []*liteLLMModel
	byID   map[string]*liteLLMModel
}

// FromLiteLLM converts LiteLLM's model_prices_and_context_window.json into
// catalog YAML named name. Per-token dollar prices become per-million-token
// decimals by moving the decimal point (2.5e-06 becomes 2.5), never through a
// binary float. LiteLLM providers map to catalog ids (see liteLLMProviders),
// and the provider route prefix of a key is cut off ("gemini/gemini-2.5-pro"
// is model gemini-2.5-pro of gcp.gen_ai). Long-context prices
// (*_above_200k_tokens, ...) become tiers. The report counts the entries
// skipped (sample_spec, modes not priced per token, route variants, entries
// with no token price, duplicates) and the prices not imported (batch, flex
// and priority variants, units the catalog has no meter for).
func FromLiteLLM(data []byte, name string) (catalog.Source, *Report, error) {
	r := newReport(FormatLiteLLM)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if err == nil {
			err = errors.New("LiteLLM prices are a JSON object of models")
		}
		return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
	}
	var provs []*liteLLMProvider
	byID := map[string]*liteLLMProvider{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return catalog.Source{}, nil, fmt.Errorf("%s: %s: %w", name, key, jsonError(data, err))
		}
		r.Entries++
		pid, slug, m, err := liteLLMEntry(key, raw, r)
		if err != nil {
			return catalog.Source{}, nil, fmt.Errorf("%s: %q: %w", name, key, err)
		}
		if m == nil {
			continue
		}
		p := byID[pid]
		if p == nil {
			p = &liteLLMProvider{id: pid, byID: map[string]*liteLLMModel{}}
			byID[pid] = p
			provs = append(provs, p)
		}
		if slug != pid && !slices.Contains(p.slugs, slug) {
			p.slugs = append(p.slugs, slug)
		}
		lid := strings.ToLower(m.id)
		if prev := p.byID[lid]; prev != nil {
			if prev.yaml() == m.yaml() {
				add(r.Skipped, "duplicate of an earlier entry with the same prices", key)
			} else {
				add(r.Skipped, "duplicate id with other prices (the first entry is kept)", key+" (kept "+prev.key+")")
			}
			continue
		}
		p.byID[lid] = m
		p.models = append(p.models, m)
		r.Models++
		for _, d := range m.drops {
			add(r.Dropped, d, key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
	}
	var w bytes.Buffer
	w.WriteString(catalogHead)
	for _, p := range provs {
		fmt.Fprintf(&w, "  - id: %s\n", q(p.id))
		names := append([]string{}, providerNames[p.id]...)
		for _, s := range p.slugs {
			if !slices.Contains(names, s) {
				names = append(names, s)
			}
		}
		if len(names) > 0 {
			fmt.Fprintf(&w, "    names: [%s]\n", joinQ(names))
		}
		w.WriteString("    models:\n")
		for _, m := range p.models {
			fmt.Fprintf(&w, "      - id: %s\n", q(m.id))
			w.WriteString(m.yaml())
		}
	}
	// catalog.Load checks the result; it is not loaded here, so that a
	// collector loading the file does not build it twice.
	return catalog.Source{Name: name, Data: w.Bytes()}, r, nil
}

// liteLLMEntry converts one entry; a nil model means it was skipped (and
// counted in the report).
func liteLLMEntry(key string, raw json.RawMessage, r *Report) (provider, slug string, m *liteLLMModel, err error) {
	switch key {
	case "sample_spec":
		add(r.Skipped, "sample_spec (documentation, not a model)", key)
		return "", "", nil, nil
	case "fallback_generalizations":
		add(r.Skipped, "fallback_generalizations (capability rules, not prices)", key)
		return "", "", nil, nil
	}
	var e map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) || dec.Decode(&e) != nil {
		add(r.Skipped, "not a model entry (not a JSON object)", key)
		return "", "", nil, nil
	}
	var mode string
	if err := json.Unmarshal(e["litellm_provider"], &slug); err != nil || slug == "" {
		add(r.Skipped, "no litellm_provider", key)
		return "", "", nil, nil
	}
	if v, ok := e["mode"]; ok {
		if err := json.Unmarshal(v, &mode); err != nil {
			return "", "", nil, fmt.Errorf("mode: %w", err)
		}
	}
	if !slices.Contains(liteLLMModes, mode) {
		add(r.Skipped, "mode "+mode+" (not priced per token)", key)
		return "", "", nil, nil
	}
	provider = slug
	if id, ok := liteLLMProviders[slug]; ok {
		provider = id
	}
	id, ok := liteLLMModelID(key, slug, provider)
	if !ok {
		add(r.Skipped, "region, deployment or commitment route variant (bedrock/<region>/..., azure/<zone>/...)", key)
		return "", "", nil, nil
	}
	m = &liteLLMModel{key: key, id: id, rates: map[string]string{}, tiers: map[int64]map[string]string{}}
	var inclusive bool
	_ = json.Unmarshal(e["pricing_tier_threshold_inclusive"], &inclusive)
	m.inclusive = inclusive || slices.Contains(liteLLMInclusive, slug)
	if err := m.setRates(e, key, r); err != nil {
		return "", "", nil, err
	}
	if len(m.rates) == 0 {
		add(r.Skipped, "no per-token price", key)
		return "", "", nil, nil
	}
	if !m.plausible() {
		add(r.Skipped, "implausible price (a unit mistake in the source: above $10,000 per million tokens or $100 per request)", key)
		return "", "", nil, nil
	}
	return provider, slug, m, nil
}

// plausible reports whether every rate is within the catalog's bounds (see
// maxRateUnits in internal/catalog), which would refuse the whole file.
func (m *liteLLMModel) plausible() bool {
	ok := func(rates map[string]string) bool {
		for k, v := range rates {
			n, err := money.ParseDecimal(v)
			limit := int64(10_000) // per million tokens
			if strings.HasSuffix(k, "_kcount") {
				limit = 100_000 // per thousand requests
			}
			if err != nil || int64(n) > limit*money.NanosPerUnit {
				return false
			}
		}
		return true
	}
	if !ok(m.rates) {
		return false
	}
	for _, t := range m.tiers {
		if !ok(t) {
			return false
		}
	}
	return true
}

// liteLLMModelID cuts LiteLLM's route prefix off a key: the provider value
// itself ("gemini/", "xai/") or its family ("vertex_ai/" for
// vertex_ai-language-models). What remains is the id the provider's API
// takes, which may hold "/" itself ("openrouter/anthropic/claude-3-haiku" is
// anthropic/claude-3-haiku). Bedrock keys with a region or commitment route
// and Azure keys with a data-zone or regional route are not model ids: ok is
// false.
func liteLLMModelID(key, slug, provider string) (id string, ok bool) {
	id = key
	family, _, _ := strings.Cut(slug, "-")
	for _, pre := range []string{slug + "/", family + "/"} {
		if rest, found := strings.CutPrefix(id, pre); found {
			id = rest
			break
		}
	}
	switch provider {
	case "aws.bedrock":
		if rest, found := strings.CutPrefix(id, "bedrock/"); found {
			id = rest
		}
		if bedrockRouteRE.MatchString(id) {
			return "", false
		}
	case "azure.ai.openai":
		if strings.Contains(id, "/") && slug == "azure" {
			return "", false
		}
	}
	id = strings.TrimSpace(id)
	return id, id != ""
}

// setRates reads an entry's prices into m, and counts in the report those it
// cannot carry over.
func (m *liteLLMModel) setRates(e map[string]json.RawMessage, key string, r *Report) error {
	drop := func(reason string) { // once per entry and reason
		if !slices.Contains(m.drops, reason) {
			m.drops = append(m.drops, reason)
		}
	}
	// Preferred names first: cache_read_input_token_cost over DeepSeek's
	// older input_cost_per_token_cache_hit.
	names := sortedKeys(e)
	slices.SortStableFunc(names, func(a, b string) int {
		return boolInt(a == "input_cost_per_token_cache_hit") - boolInt(b == "input_cost_per_token_cache_hit")
	})
	for _, k := range names {
		v := e[k]
		if rate, ok := liteLLMRates[k]; ok {
			if _, dup := m.rates[rate.key]; dup {
				continue
			}
			d, err := liteLLMDecimal(v, rate.shift, r, key+" "+k)
			if err != nil {
				return err
			}
			m.rates[rate.key] = d
			continue
		}
		if sm := liteLLMTierRE.FindStringSubmatch(k); sm != nil {
			n, err := strconv.ParseInt(sm[2], 10, 64)
			if err != nil || n <= 0 || n > 1_000_000 {
				return fmt.Errorf("%s: %s is not a threshold in thousands of tokens", k, sm[2])
			}
			d, err := liteLLMDecimal(v, 6, r, key+" "+k)
			if err != nil {
				return err
			}
			above := n * 1000
			if m.inclusive {
				above-- // from N tokens on: above N-1
			}
			m.tier(above)[liteLLMRates[sm[1]].key] = d
			continue
		}
		switch {
		case liteLLMVariantRE.MatchString(k):
			drop("variant prices (*_" + liteLLMVariantRE.FindStringSubmatch(k)[1] + ")")
		case k == "search_context_cost_per_query":
			if err := m.searchContext(v, key, r); err != nil {
				return err
			}
		case k == "tiered_pricing":
			if err := m.rangeTiers(v, key, r); err != nil {
				return err
			}
		case liteLLMPriceRE.MatchString(k):
			drop(k)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *liteLLMModel) tier(above int64) map[string]string {
	t := m.tiers[above]
	if t == nil {
		t = map[string]string{}
		m.tiers[above] = t
	}
	return t
}

// searchContext imports a web-search price that does not depend on the
// search context size; prices by size are reported, not guessed.
func (m *liteLLMModel) searchContext(v json.RawMessage, key string, r *Report) error {
	var sizes map[string]json.Number
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&sizes); err != nil {
		return fmt.Errorf("search_context_cost_per_query: %w", err)
	}
	var first string
	for _, k := range sortedKeys(sizes) {
		s := sizes[k].String()
		if first == "" {
			first = s
		} else if !sameDecimal(first, s) {
			m.drops = append(m.drops, "search_context_cost_per_query (prices differ by context size)")
			return nil
		}
	}
	if first == "" {
		return nil
	}
	d, err := liteLLMDecimal(json.RawMessage(first), 3, r, key+" search_context_cost_per_query")
	if err != nil {
		return err
	}
	m.rates["web_searches_kcount"] = d
	return nil
}

func sameDecimal(a, b string) bool {
	x, err1 := shiftDecimal(a, 0)
	y, err2 := shiftDecimal(b, 0)
	return err1 == nil && err2 == nil && x == y
}

// rangeTiers imports LiteLLM's tiered_pricing by input-token ranges: the
// range that starts at 0 gives the base rates, each other range a tier above
// its start (LiteLLM picks the range with start < input tokens <= end, the
// catalog's "above").
func (m *liteLLMModel) rangeTiers(v json.RawMessage, key string, r *Report) error {
	var ranges []map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&ranges); err != nil {
		return fmt.Errorf("tiered_pricing: %w", err)
	}
	for i, rg := range ranges {
		var bounds []json.Number
		d := json.NewDecoder(bytes.NewReader(rg["range"]))
		d.UseNumber()
		if rg["range"] == nil || d.Decode(&bounds) != nil || len(bounds) != 2 {
			m.drops = append(m.drops, "tiered_pricing not by input-token range")
			return nil
		}
		lo, err := shiftDecimal(bounds[0].String(), 0)
		if err != nil {
			return fmt.Errorf("tiered_pricing[%d].range: %w", i, err)
		}
		above, err := strconv.ParseInt(lo, 10, 64)
		if err != nil || above < 0 {
			return fmt.Errorf("tiered_pricing[%d].range: start %s is not a whole number of tokens", i, bounds[0])
		}
		dst := m.rates
		if above > 0 {
			dst = map[string]string{}
		}
		for _, k := range sortedKeys(rg) {
			rate, ok := liteLLMRates[k]
			switch {
			case k == "range":
			case ok:
				d, err := liteLLMDecimal(rg[k], rate.shift, r, fmt.Sprintf("%s tiered_pricing[%d].%s", key, i, k))
				if err != nil {
					return err
				}
				dst[rate.key] = d
			default:
				m.drops = append(m.drops, "tiered_pricing."+k)
			}
		}
		if above > 0 && len(dst) > 0 { // a range with no token price adds no tier
			maps.Copy(m.tier(above), dst)
		}
	}
	return nil
}

// liteLLMDecimal reads a JSON number's literal text and moves its decimal
// point shift places to the right.
func liteLLMDecimal(v json.RawMessage, shift int, r *Report, where string) (string, error) {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return "", fmt.Errorf("%s: a price must be a number, got %s", where, v)
	}
	s, err := shiftDecimal(n.String(), shift)
	if err != nil {
		return "", fmt.Errorf("%s: %w", where, err)
	}
	if strings.HasPrefix(s, "-") {
		return "", fmt.Errorf("%s: %s is negative", where, n)
	}
	return decimalText(s, r, where)
}

// yaml returns the model's price list as catalog YAML.
func (m *liteLLMModel) yaml() string {
	var b strings.Builder
	b.WriteString("        prices:\n")
	fmt.Fprintf(&b, "          - rates: {%s}\n", rateList(m.rates))
	if len(m.tiers) > 0 {
		aboves := make([]int64, 0, len(m.tiers))
		for a := range m.tiers {
			aboves = append(aboves, a)
		}
		slices.Sort(aboves)
		b.WriteString("            tiers:\n")
		for _, a := range aboves {
			fmt.Fprintf(&b, "              - {above: %d, rates: {%s}}\n", a, rateList(m.tiers[a]))
		}
	}
	return b.String()
}

func rateList(rates map[string]string) string {
	parts := make([]string, 0, len(rates))
	for _, k := range liteLLMOrder {
		if v, ok := rates[k]; ok {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, ", ")
}
