// Command importgenaiprices turns a snapshot of the public genai-prices data
// set (pydantic/genai-prices, MIT) into this project's catalog format.
//
//	go run ./internal/cmd/importgenaiprices \
//	    -in config/pricing/source/genai-prices-data.json \
//	    -out config/pricing/catalog.yaml -commit <sha> -date <yyyy-mm-dd>
//
// Prices are copied as the literal decimal text of the JSON, never through
// a float. Providers are renamed to OpenTelemetry's gen_ai.provider.name
// values and given the provider names real instrumentations send. The output
// is loaded back and checked before it is written.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

type provider struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	APIPattern string          `json:"api_pattern"`
	ModelMatch json.RawMessage `json:"model_match"`
	Fallback   []string        `json:"fallback_model_providers"`
	Models     []model         `json:"models"`
}

type model struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Match  json.RawMessage `json:"match"`
	Prices json.RawMessage `json:"prices"`
}

// identity maps a genai-prices provider to our canonical id and the provider
// attribute values emitters use for it (see docs/normalisation.md).
type identity struct {
	id    string
	names []string
}

var identities = map[string]identity{
	"openai":    {"openai", []string{"openai.chat", "openai.responses", "openai.completion", "openai.embedding", "openai.image", "openai.transcription", "openai.speech"}},
	"anthropic": {"anthropic", []string{"anthropic.messages", "anthropic.chat"}},
	"aws":       {"aws.bedrock", []string{"bedrock", "aws", "amazon", "amazon-bedrock", "amazon_bedrock", "aws_bedrock", "bedrock_converse", "bedrock-converse", "amazon-bedrock.chat"}},
	"azure": {"azure.ai.openai", []string{"azure", "azure.ai.inference", "az.ai.openai", "az.ai.inference", "azure-openai", "azure_openai",
		"azure.openai", "azure_ai", "azure-ai", "azure.chat", "azure.responses", "azure.completion", "azure.embedding"}},
	"google": {"gcp.gen_ai", []string{"gcp.gemini", "gcp.vertex_ai", "gemini", "google", "vertex_ai", "vertexai", "vertex", "google_genai",
		"google-genai", "googleai", "google.generative-ai", "google.vertex", "google.vertex.chat", "vertex_ai-language-models", "google_ai_studio"}},
	"mistral":    {"mistral_ai", []string{"mistral", "mistralai", "mistral.chat"}},
	"x-ai":       {"x_ai", []string{"xai", "x-ai", "xai.chat", "xai.responses"}},
	"deepseek":   {"deepseek", []string{"deepseek.chat"}},
	"groq":       {"groq", []string{"groq.chat"}},
	"cohere":     {"cohere", []string{"cohere.chat"}},
	"perplexity": {"perplexity", []string{"perplexity.chat"}},
	"openrouter": {"openrouter", []string{"openrouter.chat"}},
	"together":   {"together_ai", []string{"together", "togetherai", "together.ai", "togetherai.chat"}},
	"fireworks":  {"fireworks", []string{"fireworks_ai", "fireworksai", "fireworks.chat"}},
	"moonshotai": {"moonshot_ai", []string{"moonshot", "moonshotai"}},
	"voyageai":   {"voyage_ai", []string{"voyage", "voyageai"}},
}

func canonical(gp string) identity {
	if id, ok := identities[gp]; ok && id.id != "" {
		return id
	}
	return identity{id: gp}
}

func main() {
	in := flag.String("in", "config/pricing/source/genai-prices-data.json", "genai-prices data.json")
	out := flag.String("out", "config/pricing/catalog.yaml", "catalog to write")
	commit := flag.String("commit", "", "source commit of the snapshot")
	date := flag.String("date", "", "date of the snapshot")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var provs []provider
	if err := dec.Decode(&provs); err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	var w bytes.Buffer
	fmt.Fprintf(&w, `# Default pricing catalog of otelcol-genai. GENERATED: do not edit by hand.
#
# Derived from the genai-prices data set (https://github.com/pydantic/genai-prices,
# MIT licence, copyright Pydantic Services Inc.; see NOTICE in this folder), commit
# %s (%s), by internal/cmd/importgenaiprices. Regenerate with `+"`make catalog`"+`.
#
# Prices are facts with a date; check them against your provider's bill. Put your
# own prices, discounts and private models in a separate file and list it under
# genai_cost.pricing.files: it overrides this catalog model by model.
catalog_version: 1
currency: USD
providers:
`, *commit, *date)
	skipped := map[string][]string{}
	nModels := 0
	for _, p := range provs {
		ident := canonical(p.ID)
		fmt.Fprintf(&w, "  - id: %s\n", q(ident.id))
		names := append([]string{}, ident.names...)
		if ident.id != p.ID {
			names = append(names, p.ID)
		}
		if len(names) > 0 {
			fmt.Fprintf(&w, "    names: [%s]\n", joinQ(names))
		}
		if srv := serverRule(p.APIPattern); srv != "" {
			fmt.Fprintf(&w, "    servers: [{regex: %s}]\n", q(srv))
		}
		if len(p.ModelMatch) > 0 && string(p.ModelMatch) != "null" {
			rules, err := convertMatch(p.ModelMatch)
			if err != nil {
				log.Fatalf("provider %s model_match: %v", p.ID, err)
			}
			fmt.Fprintf(&w, "    model_hints: [%s]\n", strings.Join(rules, ", "))
		}
		if len(p.Fallback) > 0 {
			var fb []string
			for _, f := range p.Fallback {
				fb = append(fb, canonical(f).id)
			}
			fmt.Fprintf(&w, "    fallback: [%s]\n", joinQ(fb))
		}
		fmt.Fprintf(&w, "    models:\n")
		for _, m := range p.Models {
			cards, skip, err := convertPrices(m)
			if err != nil {
				log.Fatalf("provider %s model %s: %v", p.ID, m.ID, err)
			}
			for _, k := range skip {
				skipped[k] = append(skipped[k], p.ID+"/"+m.ID)
			}
			if cards == "" {
				skipped["(no prices)"] = append(skipped["(no prices)"], p.ID+"/"+m.ID)
				continue
			}
			rules, err := convertMatch(m.Match)
			if err != nil {
				log.Fatalf("provider %s model %s match: %v", p.ID, m.ID, err)
			}
			fmt.Fprintf(&w, "      - id: %s\n", q(m.ID))
			if m.Name != "" {
				fmt.Fprintf(&w, "        name: %s\n", q(m.Name))
			}
			fmt.Fprintf(&w, "        match: [%s]\n", strings.Join(rules, ", "))
			fmt.Fprintf(&w, "        prices:\n%s", cards)
			nModels++
		}
	}
	c, err := catalog.Load(catalog.Source{Name: *out, Data: w.Bytes()})
	if err != nil {
		log.Fatalf("generated catalog does not load: %v", err)
	}
	checkOrder(provs, c)
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	st := c.Stats()
	log.Printf("wrote %s: %d providers, %d models, %d price cards", *out, st.Providers, st.Models, st.Cards)
	keys := make([]string, 0, len(skipped))
	for k := range skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		log.Printf("skipped %s on %d models: %s", k, len(skipped[k]), strings.Join(first(skipped[k], 6), ", "))
	}
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "...")
	}
	return s
}

// serverRule turns an API URL pattern into a server.address regex; patterns
// with a path (a router shared by several sellers) give none.
func serverRule(pat string) string {
	s := pat
	for _, pre := range []string{"(https?://)?", "https?://", "https://"} {
		s = strings.TrimPrefix(s, pre)
	}
	for _, suf := range []string{"(/|$)", "(?:/|$)"} {
		s = strings.TrimSuffix(s, suf)
	}
	if s == "" || strings.Contains(strings.ReplaceAll(s, `[^/]`, ""), "/") {
		return ""
	}
	if strings.HasSuffix(s, `\.`) { // "api\.moonshot\." names no whole host
		s += `[a-z]+`
	}
	if _, err := regexp.Compile(s); err != nil {
		return ""
	}
	return "^" + s + "$"
}

func convertMatch(raw json.RawMessage) ([]string, error) {
	var clause map[string]json.RawMessage
	if err := json.Unmarshal(raw, &clause); err != nil {
		return nil, err
	}
	if len(clause) != 1 {
		return nil, fmt.Errorf("clause with %d keys", len(clause))
	}
	for k, v := range clause {
		kind, ok := map[string]string{"equals": "exact", "starts_with": "prefix", "ends_with": "suffix", "contains": "contains", "regex": "regex"}[k]
		if ok {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, err
			}
			return []string{fmt.Sprintf("{%s: %s}", kind, q(s))}, nil
		}
		if k != "or" {
			return nil, fmt.Errorf("unsupported clause %q", k)
		}
		var subs []json.RawMessage
		if err := json.Unmarshal(v, &subs); err != nil {
			return nil, err
		}
		var out []string
		for _, s := range subs {
			r, err := convertMatch(s)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
		return out, nil
	}
	return nil, nil
}

type conditional struct {
	Constraint map[string]string          `json:"constraint"`
	Prices     map[string]json.RawMessage `json:"prices"`
}

// convertPrices returns the YAML of a model's price list and the price keys
// it skipped. A model without a usable price gets no YAML: it stays unpriced.
func convertPrices(m model) (cards string, skipped []string, err error) {
	var list []conditional
	if bytes.HasPrefix(bytes.TrimSpace(m.Prices), []byte("[")) {
		dec := json.NewDecoder(bytes.NewReader(m.Prices))
		dec.UseNumber()
		if err := dec.Decode(&list); err != nil {
			return "", nil, err
		}
	} else {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(m.Prices, &one); err != nil {
			return "", nil, err
		}
		list = []conditional{{Prices: one}}
	}
	var b strings.Builder
	for _, cp := range list {
		rates, tiers, skip, err := convertRates(cp.Prices)
		if err != nil {
			return "", nil, err
		}
		skipped = append(skipped, skip...)
		if len(rates) == 0 {
			if !strings.HasSuffix(m.ID, ":free") {
				return "", skipped, nil // unpriced, never an invented zero
			}
			rates = []string{"input_mtok: 0", "output_mtok: 0"}
		}
		b.WriteString("          - ")
		indent := ""
		if d := cp.Constraint["start_date"]; d != "" {
			fmt.Fprintf(&b, "from: %s\n", d)
			indent = "            "
		}
		if st, en := cp.Constraint["start_time"], cp.Constraint["end_time"]; st != "" || en != "" {
			fmt.Fprintf(&b, "%swindow: %q\n", indent, clock(st)+"-"+clock(en))
			indent = "            "
		}
		fmt.Fprintf(&b, "%srates: {%s}\n", indent, strings.Join(rates, ", "))
		if len(tiers) > 0 {
			b.WriteString("            tiers:\n")
			for _, t := range tiers {
				b.WriteString(t)
			}
		}
	}
	return b.String(), skipped, nil
}

func clock(s string) string { // "00:30:00Z" -> "00:30"
	s = strings.TrimSuffix(s, "Z")
	if len(s) >= 5 {
		return s[:5]
	}
	return s
}

type tiered struct {
	Base  json.Number `json:"base"`
	Tiers []struct {
		Start int64       `json:"start"`
		Price json.Number `json:"price"`
	} `json:"tiers"`
}

var knownKeys = []string{
	"input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "output_mtok", "output_reasoning_mtok",
	"input_audio_mtok", "cache_audio_read_mtok", "output_audio_mtok", "input_image_mtok", "cache_image_read_mtok",
	"output_image_mtok", "input_video_mtok", "output_video_mtok", "web_searches_kcount", "requests_kcount",
}

func convertRates(prices map[string]json.RawMessage) (rates, tiers, skipped []string, err error) {
	byStart := map[int64][]string{}
	for _, k := range knownKeys {
		raw, ok := prices[k]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			var t tiered
			if err := dec.Decode(&t); err != nil {
				return nil, nil, nil, fmt.Errorf("%s: %w", k, err)
			}
			rates = append(rates, k+": "+decimalText(t.Base))
			for _, tier := range t.Tiers {
				byStart[tier.Start] = append(byStart[tier.Start], k+": "+decimalText(tier.Price))
			}
			continue
		}
		var n json.Number
		if err := dec.Decode(&n); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", k, err)
		}
		rates = append(rates, k+": "+decimalText(n))
	}
	for k := range prices {
		if !slices.Contains(knownKeys, k) {
			skipped = append(skipped, k)
		}
	}
	starts := make([]int64, 0, len(byStart))
	for s := range byStart {
		starts = append(starts, s)
	}
	slices.Sort(starts)
	for _, s := range starts {
		tiers = append(tiers, fmt.Sprintf("              - {above: %d, rates: {%s}}\n", s, strings.Join(byStart[s], ", ")))
	}
	return rates, tiers, skipped, nil
}

// decimalText returns the number's literal text. A few values in the data
// set carry binary-float noise (0.18000000000000002); those are rounded to 9
// decimal places, the precision of the catalog, and reported.
func decimalText(n json.Number) string {
	s := n.String()
	if _, err := money.ParseDecimal(s); err == nil {
		return s
	}
	r := new(big.Rat)
	if _, ok := r.SetString(s); !ok {
		log.Fatalf("price %q is not a number", s)
	}
	fixed := r.FloatString(9)
	fixed = strings.TrimRight(strings.TrimRight(fixed, "0"), ".")
	log.Printf("rounded float noise %s to %s", s, fixed)
	return fixed
}

// checkOrder verifies that, for every literal id in the data set's match
// clauses, our matcher (exact rules first, then catalog order) picks the same
// model as genai-prices' first-match order. It reports disagreements.
func checkOrder(provs []provider, c *catalog.Catalog) {
	bad, checked := 0, 0
	for _, p := range provs {
		cp := c.Provider(canonical(p.ID).id)
		if cp == nil {
			continue
		}
		for _, m := range p.Models {
			for _, lit := range literals(m.Match) {
				want := firstMatch(p.Models, strings.ToLower(lit))
				got := cp.Match(strings.ToLower(lit))
				checked++
				if got == nil || want == "" || got.ID == want {
					continue
				}
				bad++
				if bad <= 20 {
					log.Printf("order: %s %q: genai-prices picks %s, ours %s", p.ID, lit, want, got.ID)
				}
			}
		}
	}
	log.Printf("order: %d of %d literal ids resolve differently from genai-prices", bad, checked)
}

func literals(raw json.RawMessage) []string {
	var clause map[string]json.RawMessage
	_ = json.Unmarshal(raw, &clause)
	var out []string
	for k, v := range clause {
		switch k {
		case "equals", "starts_with", "contains", "ends_with":
			var s string
			_ = json.Unmarshal(v, &s)
			out = append(out, s)
		case "or":
			var subs []json.RawMessage
			_ = json.Unmarshal(v, &subs)
			for _, s := range subs {
				out = append(out, literals(s)...)
			}
		}
	}
	return out
}

func firstMatch(models []model, id string) string {
	for _, m := range models {
		if matches(m.Match, id) {
			return m.ID
		}
	}
	return ""
}

func matches(raw json.RawMessage, id string) bool {
	var clause map[string]json.RawMessage
	_ = json.Unmarshal(raw, &clause)
	for k, v := range clause {
		var s string
		_ = json.Unmarshal(v, &s)
		ls := strings.ToLower(s)
		switch k {
		case "equals":
			return id == ls
		case "starts_with":
			return strings.HasPrefix(id, ls)
		case "ends_with":
			return strings.HasSuffix(id, ls)
		case "contains":
			return strings.Contains(id, ls)
		case "regex":
			re, err := regexp.Compile(s)
			return err == nil && re.MatchString(id)
		case "or":
			var subs []json.RawMessage
			_ = json.Unmarshal(v, &subs)
			for _, sub := range subs {
				if matches(sub, id) {
					return true
				}
			}
		}
	}
	return false
}

// q quotes a YAML scalar when it needs it.
func q(s string) string {
	if s != "" && regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`).MatchString(s) && !slices.Contains([]string{"true", "false", "null", "yes", "no", "on", "off", "y", "n"}, strings.ToLower(s)) {
		return s
	}
	b, _ := json.Marshal(s) // a JSON string is a valid YAML double-quoted scalar
	return string(b)
}

func joinQ(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = q(s)
	}
	return strings.Join(out, ", ")
}
