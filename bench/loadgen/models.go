package main

// llmModel is one model of the load: the gen_ai.provider.name sent, the model
// id sent as gen_ai.request.model and gen_ai.response.model, and the
// server.address of its API.
type llmModel struct {
	Provider string
	Model    string
	Server   string
}

const (
	srvOpenAI    = "api.openai.com"
	srvAnthropic = "api.anthropic.com"
	srvGemini    = "generativelanguage.googleapis.com"
	srvBedrock   = "bedrock-runtime.us-east-1.amazonaws.com"
	srvMistral   = "api.mistral.ai"
	srvXAI       = "api.x.ai"
)

// models are 50 models from six providers that the default catalog
// (config/pricing/catalog.yaml) prices; models_test.go checks that each one
// resolves to a priced model of the expected catalog provider. Ids are given
// the way the providers' APIs report them (dated snapshots, Bedrock
// inference-profile ids with us./global. prefixes).
var models = []llmModel{
	// openai (12)
	{"openai", "gpt-4o-2024-08-06", srvOpenAI},
	{"openai", "gpt-4o-mini-2024-07-18", srvOpenAI},
	{"openai", "gpt-4.1-2025-04-14", srvOpenAI},
	{"openai", "gpt-4.1-mini-2025-04-14", srvOpenAI},
	{"openai", "gpt-4.1-nano-2025-04-14", srvOpenAI},
	{"openai", "gpt-5-2025-08-07", srvOpenAI},
	{"openai", "gpt-5-mini-2025-08-07", srvOpenAI},
	{"openai", "gpt-5-nano-2025-08-07", srvOpenAI},
	{"openai", "gpt-5.2", srvOpenAI},
	{"openai", "o3-2025-04-16", srvOpenAI},
	{"openai", "o4-mini-2025-04-16", srvOpenAI},
	{"openai", "gpt-3.5-turbo-0125", srvOpenAI},
	// anthropic (9)
	{"anthropic", "claude-sonnet-4-5-20250929", srvAnthropic},
	{"anthropic", "claude-opus-4-1-20250805", srvAnthropic},
	{"anthropic", "claude-haiku-4-5-20251001", srvAnthropic},
	{"anthropic", "claude-3-5-haiku-20241022", srvAnthropic},
	{"anthropic", "claude-3-7-sonnet-20250219", srvAnthropic},
	{"anthropic", "claude-sonnet-4-20250514", srvAnthropic},
	{"anthropic", "claude-opus-4-5-20251101", srvAnthropic},
	{"anthropic", "claude-sonnet-4-6", srvAnthropic},
	{"anthropic", "claude-3-haiku-20240307", srvAnthropic},
	// gcp.gemini -> catalog provider gcp.gen_ai (8)
	{"gcp.gemini", "gemini-2.5-pro", srvGemini},
	{"gcp.gemini", "gemini-2.5-flash", srvGemini},
	{"gcp.gemini", "gemini-2.5-flash-lite", srvGemini},
	{"gcp.gemini", "gemini-2.0-flash", srvGemini},
	{"gcp.gemini", "gemini-2.0-flash-lite", srvGemini},
	{"gcp.gemini", "gemini-1.5-pro", srvGemini},
	{"gcp.gemini", "gemini-3-pro-preview", srvGemini},
	{"gcp.gemini", "gemini-3-flash-preview", srvGemini},
	// aws.bedrock, inference-profile ids (8)
	{"aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", srvBedrock},
	{"aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", srvBedrock},
	{"aws.bedrock", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", srvBedrock},
	{"aws.bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0", srvBedrock},
	{"aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", srvBedrock},
	{"aws.bedrock", "us.amazon.nova-pro-v1:0", srvBedrock},
	{"aws.bedrock", "us.amazon.nova-lite-v1:0", srvBedrock},
	{"aws.bedrock", "us.meta.llama3-3-70b-instruct-v1:0", srvBedrock},
	// mistral_ai (7)
	{"mistral_ai", "mistral-large-2512", srvMistral},
	{"mistral_ai", "mistral-medium-3", srvMistral},
	{"mistral_ai", "mistral-small-latest", srvMistral},
	{"mistral_ai", "codestral-2508", srvMistral},
	{"mistral_ai", "ministral-8b", srvMistral},
	{"mistral_ai", "magistral-medium", srvMistral},
	{"mistral_ai", "pixtral-large-2411", srvMistral},
	// x_ai (6)
	{"x_ai", "grok-4-0709", srvXAI},
	{"x_ai", "grok-3", srvXAI},
	{"x_ai", "grok-3-mini", srvXAI},
	{"x_ai", "grok-4-fast-reasoning", srvXAI},
	{"x_ai", "grok-4-1-fast-non-reasoning", srvXAI},
	{"x_ai", "grok-code-fast-1", srvXAI},
}

// catalogProvider maps a gen_ai.provider.name of the load to the catalog's
// provider id.
var catalogProvider = map[string]string{
	"openai":      "openai",
	"anthropic":   "anthropic",
	"gcp.gemini":  "gcp.gen_ai",
	"aws.bedrock": "aws.bedrock",
	"mistral_ai":  "mistral_ai",
	"x_ai":        "x_ai",
}
