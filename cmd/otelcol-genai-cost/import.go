package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/pricesource"
)

// importFormats are the values of import's --from.
var importFormats = map[string]pricesource.Format{
	"litellm":      pricesource.FormatLiteLLM,
	"genai-prices": pricesource.FormatGenAIPrices,
	"auto":         "",
}

func runImport(args []string, stdout, stderr io.Writer) int {
	f := newFlags("import", "import [--from litellm|genai-prices|auto] IN [-o OUT]",
		`Converts a LiteLLM model_prices_and_context_window.json or a genai-prices
data file into catalog YAML, with a header naming the source, as the
collector converts such a file when it starts. The output is loaded as a
catalog before it is written; what the conversion left out is printed on
stderr. Without -o the catalog goes to stdout.`)
	from := f.String("from", "auto", "the format of IN: litellm, genai-prices, or auto to tell it from the content")
	out := f.String("o", "", "write the catalog to `OUT` instead of stdout")
	operands, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	want, known := importFormats[*from]
	switch {
	case !known:
		return f.usageError(stderr, "--from %q: use litellm, genai-prices or auto", *from)
	case len(operands) != 1:
		return f.usageError(stderr, "want one input file, got %d", len(operands))
	}
	in := operands[0]
	data, err := os.ReadFile(in)
	if err != nil {
		return fail(stderr, "import", err)
	}
	format, err := pricesource.Detect(data)
	if err != nil {
		return fail(stderr, "import", fmt.Errorf("%s: %w", in, err))
	}
	switch {
	case format == pricesource.FormatCatalog:
		return fail(stderr, "import", fmt.Errorf("%s is catalog YAML already; list it under pricing.files as it is", in))
	case want != "" && format != want:
		return fail(stderr, "import", fmt.Errorf("%s: --from %s, but the file is %s", in, *from, format))
	}
	name := *out
	if name == "" {
		name = "<stdout>"
	}
	src, report, err := pricesource.Convert(data, in)
	if err != nil {
		return fail(stderr, "import", err)
	}
	if report == nil {
		return fail(stderr, "import", errors.New("no conversion report")) // Convert reports every conversion
	}
	text := append([]byte(importHeader(in, data, report)), src.Data...)
	cat, err := catalog.Load(catalog.Source{Name: name, Data: text})
	if err != nil {
		return fail(stderr, "import", fmt.Errorf("the converted catalog does not load, nothing written: %w", err))
	}
	var msg strings.Builder
	writeReport(&msg, in, report)
	st := cat.Stats()
	if *out == "" {
		say(stderr, msg.String())
		return emit(stdout, stderr, "import", string(text))
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		return fail(stderr, "import", err)
	}
	fmt.Fprintf(&msg, "wrote %s: %d providers, %d models, %d price cards\n", *out, st.Providers, st.Models, st.Cards)
	say(stderr, msg.String())
	return exitOK
}

// importHeader is the comment at the top of an imported catalog: where it
// comes from, with the source's digest, and what to check.
func importHeader(in string, data []byte, r *pricesource.Report) string {
	return fmt.Sprintf(`# Price catalog converted by otelcol-genai-cost import from %s
# (%s, sha256 %x): %d entries read, %d models converted.
# Prices are copied as the decimal text of the source, never through a binary
# float. What the conversion left out is printed by
# otelcol-genai-cost validate --no-default on the source file.
# Prices are facts with a date; check them against your provider's bill.
`, filepath.Base(in), r.Format, sha256.Sum256(data), r.Entries, r.Models)
}
