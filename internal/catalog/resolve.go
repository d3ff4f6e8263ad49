package catalog

import (
	"regexp"
	"strings"
)

// Query names the model of one call, as found on a span.
type Query struct {
	// Providers are provider attribute values, best first
	// (gen_ai.provider.name, gen_ai.system, llm.provider, ...). Values that
	// name no provider, such as a framework's name, are skipped.
	Providers []string
	// Model is the model id: the response model if known, else the request model.
	Model string
	// Server is the server.address of the call, if any.
	Server string
}

// Reason tells why a query found no model.
type Reason uint8

// The reasons; Found, the zero value, means a model was found.
const (
	Found           Reason = iota
	NoModel                // the span names no model
	UnknownProvider        // no provider could be told from the span
	UnknownModel           // the provider is known but none of its models match
)

var reasonNames = []string{"", "no_model", "unknown_provider", "unknown_model"}

func (r Reason) String() string { return reasonNames[r] }

// Resolution is the outcome of a query.
type Resolution struct {
	// Provider is the provider of the call, when one could be told. The
	// model may come from one of its fallbacks (Azure sells OpenAI models).
	Provider *Provider
	// Model is the priced model, nil if none matched.
	Model *Model
	// ModelID is the id form that matched, or the cleaned-up id if none did.
	ModelID string
	Reason  Reason
}

// Resolve finds the priced model for a query. Ids are compared in lower
// case. The id is tried as given first, then in normalised forms: the last
// part of an ARN, without gateway "vendor/" prefixes, without a Bedrock
// region prefix (us., eu., global., ...), without a Bedrock vendor prefix
// (anthropic., meta., ...), without a version suffix (-v1:0) and without a
// date suffix (-20240229, -2024-08-06, @20240620). The provider comes from
// the server address when it is a known provider's API, else the provider
// attributes, else a vendor prefix in the id, else a provider's model hints. Only that provider and its declared
// fallbacks are searched: a model is never priced at another seller's price.
func (c *Catalog) Resolve(q Query) Resolution {
	raw := strings.ToLower(strings.TrimSpace(q.Model))
	// Where the call went beats what a library calls it: the OpenAI SDK
	// pointed at OpenRouter or Azure still says "openai".
	p := c.ProviderByServer(q.Server)
	if p == nil {
		for _, name := range q.Providers {
			if p = c.ProviderByName(name); p != nil {
				break
			}
		}
	}
	if raw == "" {
		return Resolution{Provider: p, Reason: NoModel}
	}
	forms, vendors := modelForms(raw)
	if p == nil {
		for _, v := range vendors {
			if p = c.ProviderByName(v); p != nil {
				break
			}
		}
	}
	if p == nil {
		for _, f := range forms {
			if p = c.ProviderByModelHint(f); p != nil {
				break
			}
		}
	}
	if p == nil {
		return Resolution{ModelID: raw, Reason: UnknownProvider}
	}
	for _, f := range forms {
		if m := p.Match(f); m != nil {
			return Resolution{Provider: p, Model: m, ModelID: f}
		}
	}
	for _, fp := range p.Fallback {
		for _, f := range forms {
			if m := fp.Match(f); m != nil {
				return Resolution{Provider: p, Model: m, ModelID: f}
			}
		}
	}
	return Resolution{Provider: p, ModelID: raw, Reason: UnknownModel}
}

var (
	bedrockRegion  = regexp.MustCompile(`^(us|us-gov|eu|apac|ap|jp|au|ca|sa|global|regional)\.`)
	bedrockVendor  = regexp.MustCompile(`^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|stability|twelvelabs|luma|moonshot|minimax|google|nvidia)\.`)
	versionSuffix  = regexp.MustCompile(`(-v\d+(:\d+)?|:\d+)$`)
	dateSuffix     = regexp.MustCompile(`([-@]\d{8}|-\d{4}-\d{2}-\d{2})$`)
	bedrockVendors = map[string]string{"mistral": "mistral_ai", "amazon": "aws.bedrock", "meta": "aws.bedrock"}
)

// modelForms returns the forms of a lower-case model id to try, in order,
// and the vendor names found in its prefixes.
func modelForms(id string) (forms, vendors []string) {
	add := func(s string) {
		if s != "" && (len(forms) == 0 || forms[len(forms)-1] != s) {
			forms = append(forms, s)
		}
	}
	add(id)
	s := id
	if strings.HasPrefix(s, "arn:") {
		if i := strings.LastIndexByte(s, '/'); i >= 0 {
			s = s[i+1:]
			add(s)
		}
	}
	for {
		i := strings.IndexByte(s, '/')
		if i < 0 {
			break
		}
		vendors = append(vendors, s[:i])
		s = s[i+1:]
		add(s)
	}
	if m := bedrockRegion.FindString(s); m != "" {
		s = s[len(m):]
		add(s)
	}
	if m := bedrockVendor.FindString(s); m != "" {
		v := strings.TrimSuffix(m, ".")
		if alias, ok := bedrockVendors[v]; ok {
			v = alias
		}
		vendors = append(vendors, v)
		s = s[len(m):]
		add(s)
	}
	if m := versionSuffix.FindString(s); m != "" {
		s = s[:len(s)-len(m)]
		add(s)
	}
	if m := dateSuffix.FindString(s); m != "" {
		s = s[:len(s)-len(m)]
		add(s)
	}
	return forms, vendors
}
