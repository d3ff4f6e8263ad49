package pricesource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
)

// Format is a kind of price file.
type Format string

// The formats Convert reads.
const (
	// FormatCatalog is this project's catalog YAML (docs/pricing.md).
	FormatCatalog Format = "catalog YAML"
	// FormatGenAIPrices is the genai-prices data file: a JSON list of
	// providers, each with "id" and "models".
	FormatGenAIPrices Format = "genai-prices JSON"
	// FormatLiteLLM is LiteLLM's model_prices_and_context_window.json: a
	// JSON object of models, each with "litellm_provider".
	FormatLiteLLM Format = "LiteLLM JSON"
)

// formatsHelp lists the formats for errors.
const formatsHelp = "a price file is one of: catalog YAML (a mapping with catalog_version and providers, see docs/pricing.md); " +
	"a genai-prices data file (a JSON list of providers, each with \"id\" and \"models\"); " +
	"LiteLLM's model_prices_and_context_window.json (a JSON object of models, each with \"litellm_provider\")"

// Detect tells the format of a price file from its content:
//   - text starting with '[' (after spaces and a byte-order mark) is a
//     genai-prices data file if its first element is an object with "id"
//     and "models";
//   - text starting with '{' is catalog YAML if it has "catalog_version",
//     else LiteLLM JSON if one of its values is an object with
//     "litellm_provider";
//   - any other text is catalog YAML if it is a YAML mapping with
//     catalog_version or providers.
//
// Anything else is an error that lists the three formats; a file that starts
// like JSON but is not valid JSON is an error with the line and column.
func Detect(data []byte) (Format, error) {
	// JSON allows the leading spaces, so errors count lines from the top.
	text := bytes.TrimPrefix(data, []byte(bom))
	first := bytes.TrimLeft(text, " \t\r\n")
	switch {
	case len(first) == 0:
		return "", errors.New("the file is empty; " + formatsHelp)
	case first[0] == '[':
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(text, &list); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return "", fmt.Errorf("a JSON list whose items are not objects; %s", formatsHelp)
			}
			return "", jsonError(text, err)
		}
		if len(list) > 0 && list[0]["id"] != nil && list[0]["models"] != nil {
			return FormatGenAIPrices, nil
		}
		return "", errors.New("a JSON list of something other than genai-prices providers; " + formatsHelp)
	case first[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(text, &obj); err != nil {
			var synErr *json.SyntaxError
			if errors.As(err, &synErr) {
				return "", jsonError(text, err)
			}
			// A flow-style YAML mapping that is not JSON.
			return yamlFormat(text)
		}
		if obj["catalog_version"] != nil {
			return FormatCatalog, nil
		}
		for _, v := range obj {
			var entry map[string]json.RawMessage
			if json.Unmarshal(v, &entry) == nil && entry["litellm_provider"] != nil {
				return FormatLiteLLM, nil
			}
		}
		return "", errors.New("a JSON object with neither catalog_version nor LiteLLM model entries; " + formatsHelp)
	}
	return yamlFormat(text)
}

func yamlFormat(text []byte) (Format, error) {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(text, &top); err != nil {
		return "", fmt.Errorf("neither JSON nor a YAML mapping (%w); %s", err, formatsHelp)
	}
	if _, ok := top["catalog_version"]; ok {
		return FormatCatalog, nil
	}
	if _, ok := top["providers"]; ok {
		return FormatCatalog, nil
	}
	return "", errors.New("a YAML file without catalog_version or providers; " + formatsHelp)
}

// Convert detects the format of a price file and returns it as catalog YAML:
// catalog YAML as it is (with a nil report), the other formats converted.
// Errors name the file.
func Convert(data []byte, name string) (catalog.Source, *Report, error) {
	f, err := Detect(data)
	if err != nil {
		return catalog.Source{}, nil, fmt.Errorf("%s: %w", name, err)
	}
	switch f {
	case FormatGenAIPrices:
		return FromGenAIPrices(bytes.TrimPrefix(data, []byte(bom)), name)
	case FormatLiteLLM:
		return FromLiteLLM(bytes.TrimPrefix(data, []byte(bom)), name)
	}
	return catalog.Source{Name: name, Data: data}, nil, nil
}

const bom = "\uFEFF"

// jsonError adds the line and column to a JSON syntax error.
func jsonError(data []byte, err error) error {
	var synErr *json.SyntaxError
	if !errors.As(err, &synErr) {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	off := min(int(synErr.Offset), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
}
