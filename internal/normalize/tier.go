package normalize

import "strings"

// The service tiers a call is priced at, as Tier names them.
const (
	// TierStandard is the provider's standard price: OpenAI's "default"
	// and "auto", Anthropic's "standard" and "standard_only", Vertex's
	// "on_demand".
	TierStandard = "standard"
	TierBatch    = "batch"
	TierFlex     = "flex"
	TierPriority = "priority"
	TierScale    = "scale"
	// TierFast is Anthropic's fast mode ("speed": "fast") and OpenAI's
	// "fast" tier.
	TierFast = "fast"
)

// Tier maps a provider's service-tier value to one of the Tier*
// names; a value it does not know is kept in lower case, and "" or "null"
// give "". It allocates only for values that are not already lower case.
func Tier(v string) string {
	v = strings.TrimSpace(v)
	switch v {
	case "", "null", "none":
		return ""
	case "standard", "default", "auto", "on_demand", "standard_only":
		return TierStandard
	case TierBatch, TierFlex, TierPriority, TierScale, TierFast:
		return v
	}
	if l := strings.ToLower(v); l != v {
		return Tier(l)
	}
	// Vertex AI's traffic types.
	switch v {
	case "on_demand_priority":
		return TierPriority
	case "on_demand_flex":
		return TierFlex
	}
	return v
}

// readTier fills the service tier, the speed and the inference geography
// of a call from the span: the tier that served the call, else the tier
// asked for, from the tier attributes, then from the JSON the Vercel AI SDK
// keeps of the provider's response (ai.response.providerMetadata: OpenAI's
// and Google's serviceTier, Anthropic's usage.service_tier, speed and
// inference_geo) and the request parameters OpenInference keeps
// (llm.invocation_parameters: service_tier, speed, inference_geo). The
// JSON is searched, not parsed, and only when an attribute does not tell.
func (c *Call) readTier(st *scanState) {
	tier := ""
	if st.found&(1<<cResponseTier) != 0 {
		tier = Tier(st.val[cResponseTier].AsString())
	}
	meta, params := "", ""
	if st.found&(1<<cProviderMetadata) != 0 {
		meta = st.val[cProviderMetadata].Str()
	}
	if st.found&(1<<cInvocationParams) != 0 {
		params = st.val[cInvocationParams].Str()
	}
	if tier == "" && meta != "" {
		if tier = Tier(jsonString(meta, `"serviceTier"`)); tier == "" {
			tier = Tier(jsonString(meta, `"service_tier"`))
		}
	}
	if tier == "" && st.found&(1<<cRequestTier) != 0 {
		tier = Tier(st.val[cRequestTier].AsString())
	}
	if tier == "" && params != "" {
		tier = Tier(jsonString(params, `"service_tier"`))
	}
	// Anthropic's fast mode is a speed, not a tier: it is priced apart
	// from the standard tier's price.
	if tier == "" || tier == TierStandard {
		for _, s := range [...]string{meta, params} {
			if s != "" && jsonString(s, `"speed"`) == "fast" {
				tier = TierFast
				break
			}
		}
	}
	c.ServiceTier = tier
	for _, s := range [...]string{meta, params} {
		if s == "" {
			continue
		}
		if g := geo(jsonString(s, `"inference_geo"`)); g != "" {
			c.InferenceGeo = g
			break
		}
	}
}

// geo normalises an inference geography: "" for none, the global default
// or a value the provider did not give ("not_available").
func geo(v string) string {
	switch v {
	case "", "global", "not_available", "null":
		return ""
	case "us", "eu":
		return v
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// jsonString returns the string value of the first occurrence of key (a
// quoted JSON key) in s, or "" if it is absent or not a string. Values
// with escapes are not expected: tiers and geographies are plain words.
func jsonString(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len(key):], " \t\r\n")
	if rest == "" || rest[0] != ':' {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || rest[0] != '"' {
		return ""
	}
	rest = rest[1:]
	j := strings.IndexByte(rest, '"')
	if j < 0 || j > 64 {
		return ""
	}
	return rest[:j]
}
