package pricesource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

type gpProvider struct {
	ID         string          `json:"id"`
	APIPattern string          `json:"api_pattern"`
	ModelMatch json.RawMessage `json:"model_match"`
	Fallback   []string        `json:"fallback_model_providers"`
	Models     []gpModel       `json:"models"`
}

type gpModel struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Match  json.RawMessage `json:"match"`
	Prices json.RawMessage `json:"prices"`
}

// The fields of genai-prices providers and models: those read above, and
// those that carry no price (descriptions, links, usage extractors).
var (
	gpProviderFields = []string{"id", "name", "description", "pricing_urls", "api_pattern", "model_match", "provider_match",
		"extractors", "fallback_model_providers", "models", "price_comments"}
	gpModelFields = []string{"id", "name", "description", "match", "prices", "context_window", "deprecated", "price_comments"}
)

// FromGenAIPrices converts a genai-prices data file (the JSON list of
// providers of prices/new_data/v2/data.json, as shipped in the
// @pydantic/genai-prices packages) into catalog YAML named name. Providers are
// renamed to this project's ids and given the names emitters use. A model
// without a price this catalog can hold is left out (never given an invented
// $0); a price key with no catalog meter is left out of its model; both are
// counted in the report. Fields of unknown meaning and constraint kinds other
// than a start date or a daily time window fail the conversion.
func FromGenAIPrices(data []byte, name string) (catalog.Source, *Report, error) {
	r := newReport(FormatGenAIPrices)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var provs []gpProvider
	if err := dec.Decode(&provs); err != nil {
		return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, jsonError(data, err))
	}
	if err := checkGenAIPricesFields(data); err != nil {
		return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	var w bytes.Buffer
	w.WriteString(catalogHead)
	for _, p := range provs {
		if p.ID == "" {
			return catalog.Source{}, nil, fmt.Errorf("%s: a provider has no id", name)
		}
		ident := genaiPricesIdentity(p.ID)
		fmt.Fprintf(&w, "  - id: %s\n", q(ident.id))
		names := append([]string{}, ident.names...)
		if ident.id != p.ID && !slices.Contains(names, p.ID) {
			names = append(names, p.ID)
		}
		if len(names) > 0 {
			fmt.Fprintf(&w, "    names: [%s]\n", joinQ(names))
		}
		if srv := serverRule(p.APIPattern); srv != "" {
			fmt.Fprintf(&w, "    servers: [{regex: %s}]\n", q(srv))
		}
		if len(p.ModelMatch) > 0 && string(p.ModelMatch) != "null" {
			rules, err := convertMatch(p.ModelMatch, r, p.ID)
			if err != nil {
				return catalog.Source{}, nil, fmt.Errorf("%s: provider %s model_match: %w", name, p.ID, err)
			}
			fmt.Fprintf(&w, "    model_hints: [%s]\n", strings.Join(rules, ", "))
		}
		if len(p.Fallback) > 0 {
			var fb []string
			for _, f := range p.Fallback {
				fb = append(fb, genaiPricesIdentity(f).id)
			}
			fmt.Fprintf(&w, "    fallback: [%s]\n", joinQ(fb))
		}
		w.WriteString("    models:\n")
		for _, m := range p.Models {
			r.Entries++
			id := p.ID + "/" + m.ID
			cards, err := convertPrices(m, r, id)
			if err != nil {
				return catalog.Source{}, nil, fmt.Errorf("%s: provider %s model %s: %w", name, p.ID, m.ID, err)
			}
			if cards == "" {
				add(r.Skipped, "no price this catalog can hold", id)
				continue
			}
			rules, err := convertMatch(m.Match, r, id)
			if err != nil {
				return catalog.Source{}, nil, fmt.Errorf("%s: provider %s model %s match: %w", name, p.ID, m.ID, err)
			}
			fmt.Fprintf(&w, "      - id: %s\n", q(m.ID))
			if m.Name != "" {
				fmt.Fprintf(&w, "        name: %s\n", q(m.Name))
			}
			fmt.Fprintf(&w, "        match: [%s]\n", strings.Join(rules, ", "))
			fmt.Fprintf(&w, "        prices:\n%s", cards)
			r.Models++
		}
	}
	src := catalog.Source{Name: name, Data: w.Bytes()}
	c, err := catalog.Load(src)
	if err != nil {
		return catalog.Source{}, nil, fmt.Errorf("converted catalog does not load: %w", err)
	}
	r.Notes = append(r.Notes, checkOrder(provs, c)...)
	return src, r, nil
}

// checkGenAIPricesFields fails on a provider or model field this converter
// does not know: a new field may carry prices.
func checkGenAIPricesFields(data []byte) error {
	var provs []map[string]json.RawMessage
	if err := json.Unmarshal(data, &provs); err != nil {
		return err
	}
	for _, p := range provs {
		for k := range p {
			if !slices.Contains(gpProviderFields, k) {
				return fmt.Errorf("provider %s: unknown field %q; update internal/pricesource to read it", p["id"], k)
			}
		}
		var models []map[string]json.RawMessage
		if err := json.Unmarshal(p["models"], &models); err != nil {
			return fmt.Errorf("provider %s: models: %w", p["id"], err)
		}
		for _, m := range models {
			for k := range m {
				if !slices.Contains(gpModelFields, k) {
					return fmt.Errorf("provider %s model %s: unknown field %q; update internal/pricesource to read it", p["id"], m["id"], k)
				}
			}
		}
	}
	return nil
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

var matchKinds = map[string]string{"equals": "exact", "starts_with": "prefix", "ends_with": "suffix", "contains": "contains", "regex": "regex"}

// convertMatch turns a match clause into catalog rules. The catalog's rules
// have no "and": an "and" of one positive clause and negative regexes
// ("^(?!.*-tts)") keeps the positive clause only, and the dropped condition
// is noted in the report; checkOrder then verifies that every literal id of
// the data set still resolves to the same model (the excluded models are
// matched by exact rules, which win). Any other "and" fails.
func convertMatch(raw json.RawMessage, r *Report, id string) ([]string, error) {
	var clause map[string]json.RawMessage
	if err := json.Unmarshal(raw, &clause); err != nil {
		return nil, err
	}
	if len(clause) != 1 {
		return nil, fmt.Errorf("clause with %d keys", len(clause))
	}
	for k, v := range clause {
		if k == "and" {
			return convertAnd(v, r, id)
		}
		if kind, ok := matchKinds[k]; ok {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, err
			}
			if kind == "regex" {
				re, err := re2(s, r, id)
				if err != nil {
					return nil, err
				}
				s = re
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
			rules, err := convertMatch(s, r, id)
			if err != nil {
				return nil, err
			}
			out = append(out, rules...)
		}
		return out, nil
	}
	return nil, nil
}

func convertAnd(raw json.RawMessage, r *Report, id string) ([]string, error) {
	var subs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &subs); err != nil {
		return nil, fmt.Errorf("and: %w", err)
	}
	var positive []json.RawMessage
	var dropped []string
	for _, sub := range subs {
		var re string
		if v, ok := sub["regex"]; ok && len(sub) == 1 && json.Unmarshal(v, &re) == nil && negativeRegex(re) != "" {
			dropped = append(dropped, re)
			continue
		}
		b, _ := json.Marshal(sub)
		positive = append(positive, b)
	}
	if len(positive) != 1 {
		return nil, fmt.Errorf("unsupported \"and\" clause %s: the catalog can hold one positive clause and negative regexes", raw)
	}
	rules, err := convertMatch(positive[0], r, id)
	if err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, fmt.Sprintf("match: %s: condition %s dropped from an \"and\" clause (the catalog has no \"and\"; checked below)",
		id, strings.Join(dropped, ", ")))
	return rules, nil
}

// re2 returns a regex the catalog (Go's RE2) can compile. genai-prices
// writes Python regexes; the one lookahead form seen in a positive clause,
// "^(?![^/]+/)REST" (no vendor prefix such as "mistralai/"), is rewritten as
// "^(?:REST)[^/]*$", the same language when REST matches no "/", and noted.
func re2(re string, r *Report, id string) (string, error) {
	if _, err := regexp.Compile(re); err == nil {
		return re, nil
	}
	if rest, ok := strings.CutPrefix(re, "^(?![^/]+/)"); ok && !strings.Contains(rest, "/") {
		out := "^(?:" + rest + ")[^/]*$"
		if _, err := regexp.Compile(out); err == nil {
			r.Notes = append(r.Notes, fmt.Sprintf("match: %s: regex %s rewritten for RE2 as %s", id, re, out))
			return out, nil
		}
	}
	return "", fmt.Errorf("regex %q uses syntax Go's RE2 lacks (lookarounds, backreferences); update internal/pricesource", re)
}

// negativeRegex returns X for a regex "^(?!X)" that is one negative
// lookahead, else "".
func negativeRegex(re string) string {
	if inner, ok := strings.CutPrefix(re, "^(?!"); ok && strings.HasSuffix(inner, ")") {
		inner = inner[:len(inner)-1]
		if _, err := regexp.Compile("^" + inner); err == nil {
			return inner
		}
	}
	return ""
}

type conditional struct {
	Constraint map[string]string          `json:"constraint"`
	Prices     map[string]json.RawMessage `json:"prices"`
}

// checkConstraint accepts the two constraint kinds of genai-prices: a start
// date, and a daily UTC time window. Anything else would make a price apply
// at the wrong time, so it fails the conversion.
func checkConstraint(c map[string]string) error {
	if len(c) == 0 {
		return nil
	}
	keys := sortedKeys(c)
	var want []string
	switch typ := c["type"]; {
	case typ == "start_date" || typ == "" && c["start_date"] != "":
		want = []string{"start_date"}
	case typ == "time_of_date" || typ == "" && (c["start_time"] != "" || c["end_time"] != ""):
		want = []string{"end_time", "start_time"}
	default:
		return fmt.Errorf("constraint %v: unknown kind %q (known: start_date, time_of_date)", c, typ)
	}
	if _, ok := c["type"]; ok {
		want = append(want, "type")
		slices.Sort(want)
	}
	if !slices.Equal(keys, want) {
		return fmt.Errorf("constraint %v: fields %v do not make a %s constraint (%v)", c, keys, c["type"], want)
	}
	return nil
}

// convertPrices returns the YAML of a model's price list. A model without a
// usable price gets no YAML: it stays unpriced.
func convertPrices(m gpModel, r *Report, id string) (string, error) {
	var list []conditional
	if bytes.HasPrefix(bytes.TrimSpace(m.Prices), []byte("[")) {
		dec := json.NewDecoder(bytes.NewReader(m.Prices))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list); err != nil {
			return "", err
		}
	} else {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(m.Prices, &one); err != nil {
			return "", err
		}
		list = []conditional{{Prices: one}}
	}
	var b strings.Builder
	for _, cp := range list {
		if err := checkConstraint(cp.Constraint); err != nil {
			return "", err
		}
		rates, tiers, err := convertRates(cp.Prices, r, id)
		if err != nil {
			return "", err
		}
		if len(rates) == 0 {
			if !strings.HasSuffix(m.ID, ":free") {
				return "", nil // unpriced, never an invented zero
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
	return b.String(), nil
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

// rateKeys are the genai-prices price keys this catalog holds, under the
// same names, in the order they are written.
var rateKeys = []string{
	"input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "output_mtok", "output_reasoning_mtok",
	"input_audio_mtok", "cache_audio_read_mtok", "output_audio_mtok", "input_image_mtok", "cache_image_read_mtok",
	"output_image_mtok", "input_video_mtok", "output_video_mtok", "web_searches_kcount", "requests_kcount",
}

func convertRates(prices map[string]json.RawMessage, r *Report, id string) (rates, tiers []string, err error) {
	byStart := map[int64][]string{}
	for _, k := range rateKeys {
		raw, ok := prices[k]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			dec.DisallowUnknownFields()
			var t tiered
			if err := dec.Decode(&t); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", k, err)
			}
			base, err := decimalText(t.Base.String(), r, id+" "+k)
			if err != nil {
				return nil, nil, err
			}
			rates = append(rates, k+": "+base)
			for _, tier := range t.Tiers {
				v, err := decimalText(tier.Price.String(), r, id+" "+k)
				if err != nil {
					return nil, nil, err
				}
				byStart[tier.Start] = append(byStart[tier.Start], k+": "+v)
			}
			continue
		}
		var n json.Number
		if err := dec.Decode(&n); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", k, err)
		}
		v, err := decimalText(n.String(), r, id+" "+k)
		if err != nil {
			return nil, nil, err
		}
		rates = append(rates, k+": "+v)
	}
	for _, k := range sortedKeys(prices) {
		if !slices.Contains(rateKeys, k) {
			add(r.Dropped, k, id)
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
	return rates, tiers, nil
}

// checkOrder verifies that, for every literal id in the data set's match
// clauses, the catalog's matcher (exact rules first, then catalog order)
// picks the same model as genai-prices' first-match order.
func checkOrder(provs []gpProvider, c *catalog.Catalog) []string {
	var notes []string
	bad, checked := 0, 0
	for _, p := range provs {
		cp := c.Provider(genaiPricesIdentity(p.ID).id)
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
					notes = append(notes, fmt.Sprintf("order: %s %q: genai-prices picks %s, the catalog %s", p.ID, lit, want, got.ID))
				}
			}
		}
	}
	return append(notes, fmt.Sprintf("order: %d of %d literal ids resolve differently from genai-prices", bad, checked))
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
		case "or", "and":
			var subs []json.RawMessage
			_ = json.Unmarshal(v, &subs)
			for _, s := range subs {
				out = append(out, literals(s)...)
			}
		}
	}
	return out
}

func firstMatch(models []gpModel, id string) string {
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
			if neg := negativeRegex(s); neg != "" {
				return !regexp.MustCompile("^" + neg).MatchString(id)
			}
			if rest, ok := strings.CutPrefix(s, "^(?![^/]+/)"); ok {
				if strings.IndexByte(id, '/') >= 1 { // the lookahead's [^/]+/
					return false
				}
				s = "^" + rest
			}
			re, err := regexp.Compile(s)
			return err == nil && re.MatchString(id)
		case "and":
			var subs []json.RawMessage
			_ = json.Unmarshal(v, &subs)
			for _, sub := range subs {
				if !matches(sub, id) {
					return false
				}
			}
			return true
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
