package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/pricesource"
)

func runValidate(args []string, stdout, stderr io.Writer) int {
	f := newFlags("validate", "validate [--no-default] FILE...",
		`Loads the price files in order over the embedded default catalog (or alone
with --no-default), exactly as the genai_cost processor's pricing.files are
loaded: catalog YAML, LiteLLM's model_prices_and_context_window.json or a
genai-prices data file, told apart by content. Prints the catalog's size and,
for each file converted from JSON, what the conversion left out. An error
names the file and line and exits 1.`)
	noDefault := f.Bool("no-default", false, "load the files alone, without the embedded default catalog")
	files, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		return f.usageError(stderr, "no FILE given")
	}
	cat, reports, err := loadCatalog(!*noDefault, files)
	if err != nil {
		return fail(stderr, "validate", err)
	}
	st := cat.Stats()
	base := "default catalog + "
	if *noDefault {
		base = ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ok: %d providers, %d models, %d price cards, %s (%s%s)\n",
		st.Providers, st.Models, st.Cards, cat.Currency, base, plural(len(files), "file"))
	for i, file := range files {
		writeReport(&b, file, reports[i])
	}
	return emit(stdout, stderr, "validate", b.String())
}

// writeReport prints what a file's conversion kept and left out; a
// catalog YAML file has no report.
func writeReport(w *strings.Builder, file string, r *pricesource.Report) {
	if r == nil {
		fmt.Fprintf(w, "%s: %s\n", file, pricesource.FormatCatalog)
		return
	}
	lines := r.Lines()
	fmt.Fprintf(w, "%s: %s\n", file, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// plural writes n and a noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
