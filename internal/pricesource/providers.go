package pricesource

// The providers of this project's catalog: the canonical id (an OpenTelemetry
// gen_ai.provider.name value) and the provider attribute values emitters use
// for it (see docs/normalisation.md). Both converters write these names, so
// that a converted file prices spans on its own, without the default catalog.
var providerNames = map[string][]string{
	"openai":    {"openai.chat", "openai.responses", "openai.completion", "openai.embedding", "openai.image", "openai.transcription", "openai.speech"},
	"anthropic": {"anthropic.messages", "anthropic.chat"},
	"aws.bedrock": {"bedrock", "aws", "amazon", "amazon-bedrock", "amazon_bedrock", "aws_bedrock", "bedrock_converse", "bedrock-converse",
		"amazon-bedrock.chat"},
	"azure.ai.openai": {"azure", "azure.ai.inference", "az.ai.openai", "az.ai.inference", "azure-openai", "azure_openai",
		"azure.openai", "azure_ai", "azure-ai", "azure.chat", "azure.responses", "azure.completion", "azure.embedding"},
	"gcp.gen_ai": {"gcp.gemini", "gcp.vertex_ai", "gemini", "google", "vertex_ai", "vertexai", "vertex", "google_genai",
		"google-genai", "googleai", "google.generative-ai", "google.vertex", "google.vertex.chat", "vertex_ai-language-models", "google_ai_studio"},
	"mistral_ai":  {"mistral", "mistralai", "mistral.chat"},
	"x_ai":        {"xai", "x-ai", "xai.chat", "xai.responses"},
	"deepseek":    {"deepseek.chat"},
	"groq":        {"groq.chat"},
	"cohere":      {"cohere.chat"},
	"perplexity":  {"perplexity.chat"},
	"openrouter":  {"openrouter.chat"},
	"together_ai": {"together", "togetherai", "together.ai", "togetherai.chat"},
	"fireworks":   {"fireworks_ai", "fireworksai", "fireworks.chat"},
	"moonshot_ai": {"moonshot", "moonshotai"},
	"voyage_ai":   {"voyage", "voyageai"},
}

// genaiPricesIDs maps genai-prices provider ids to catalog ids; an id not
// listed is kept as it is.
var genaiPricesIDs = map[string]string{
	"openai":     "openai",
	"anthropic":  "anthropic",
	"aws":        "aws.bedrock",
	"azure":      "azure.ai.openai",
	"google":     "gcp.gen_ai",
	"mistral":    "mistral_ai",
	"x-ai":       "x_ai",
	"deepseek":   "deepseek",
	"groq":       "groq",
	"cohere":     "cohere",
	"perplexity": "perplexity",
	"openrouter": "openrouter",
	"together":   "together_ai",
	"fireworks":  "fireworks",
	"moonshotai": "moonshot_ai",
	"voyageai":   "voyage_ai",
}

// identity is a catalog provider id and the names written for it.
type identity struct {
	id    string
	names []string
}

func genaiPricesIdentity(gp string) identity {
	if id, ok := genaiPricesIDs[gp]; ok {
		return identity{id: id, names: providerNames[id]}
	}
	return identity{id: gp}
}
