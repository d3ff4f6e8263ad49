package normalize

import "strings"

// CacheRule says whether the input count of matching spans includes cached
// tokens. A rule matches when each of its set fields matches; the first
// matching rule wins.
type CacheRule struct {
	// Scope matches the instrumentation scope name, or its first
	// segments: "openlit" matches "openlit.otel.tracing" but not "openlitx".
	Scope string
	// Provider matches the canonical provider id (gen_ai.provider.name value).
	Provider string
	// ClaudeCode matches Claude Code's flat-attribute spans.
	ClaudeCode bool
	// WithoutVercelDetails matches Vercel AI SDK spans without v6+
	// per-cache input details, i.e. AI SDK v5 and older.
	WithoutVercelDetails bool
	// InputIncludesCache is the rule's answer.
	InputIncludesCache bool
}

// BuiltinCacheRules are the emitters known to report input exclusive of
// cache reads and writes; every other emitter follows OpenTelemetry and
// includes them. See docs/normalisation.md for the sources.
var BuiltinCacheRules = []CacheRule{
	// OpenLIT (Python and TypeScript) copies Anthropic's raw input_tokens.
	{Scope: "openlit", Provider: "anthropic", InputIncludesCache: false},
	{Scope: "@openlit", Provider: "anthropic", InputIncludesCache: false},
	// OpenLLMetry's TypeScript Anthropic instrumentation copies the raw
	// input_tokens (its Python one has summed the cache parts in since 2024-10).
	{Scope: "@traceloop/instrumentation-anthropic", InputIncludesCache: false},
	// Strands copies the raw counts of its Anthropic and Bedrock models.
	{Scope: "strands", Provider: "anthropic", InputIncludesCache: false},
	{Scope: "strands", Provider: "aws.bedrock", InputIncludesCache: false},
	// OpenLLMetry's Bedrock instrumentation copies Converse inputTokens,
	// which excludes cacheRead/WriteInputTokens.
	{Scope: "opentelemetry.instrumentation.bedrock", InputIncludesCache: false},
	{Scope: "@traceloop/instrumentation-bedrock", InputIncludesCache: false},
	// Claude Code reports Anthropic's native usage.
	{ClaudeCode: true, InputIncludesCache: false},
	// Vercel AI SDK v5 reports Anthropic's native input_tokens; v6 sums
	// the cache parts in and says so with inputTokenDetails.
	{Scope: "ai", Provider: "anthropic", WithoutVercelDetails: true, InputIncludesCache: false},
}

// InputIncludesCache applies the rules to a span; without a match the
// answer is true, as in OpenTelemetry's conventions.
func InputIncludesCache(rules []CacheRule, scope, provider string, c *Call) bool {
	for i := range rules {
		r := &rules[i]
		if r.Scope != "" && !scopeMatch(scope, r.Scope) {
			continue
		}
		if r.Provider != "" && r.Provider != provider {
			continue
		}
		if r.ClaudeCode && !c.ClaudeCode {
			continue
		}
		if r.WithoutVercelDetails && c.VercelDetails {
			continue
		}
		return r.InputIncludesCache
	}
	return true
}

// scopeMatch reports whether scope is pat or starts with pat followed by a
// separator.
func scopeMatch(scope, pat string) bool {
	if !strings.HasPrefix(scope, pat) {
		return false
	}
	return len(scope) == len(pat) || strings.IndexByte("./-_:@", scope[len(pat)]) >= 0
}
