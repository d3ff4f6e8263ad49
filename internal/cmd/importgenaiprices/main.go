// Command importgenaiprices turns a snapshot of the public genai-prices data
// set (pydantic/genai-prices, MIT) into this project's catalog format, with
// internal/pricesource, and writes it with a header naming the snapshot.
//
//	go run ./internal/cmd/importgenaiprices \
//	    -in config/pricing/source/genai-prices-data.json \
//	    -out config/pricing/catalog.yaml -source <package@version or commit> -date <yyyy-mm-dd>
//
// It prints what it left out (models without a price the catalog can hold,
// price keys with no catalog meter, rounded float noise) and the match-order
// check.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/pricesource"
)

func main() {
	in := flag.String("in", "config/pricing/source/genai-prices-data.json", "genai-prices data file (JSON)")
	out := flag.String("out", "config/pricing/catalog.yaml", "catalog to write")
	source := flag.String("source", "", "where the snapshot comes from (npm package and version, or commit)")
	date := flag.String("date", "", "date of the snapshot")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	src, report, err := pricesource.FromGenAIPrices(data, *out)
	if err != nil {
		log.Fatal(err)
	}
	text := append([]byte(header(*source, *date)), src.Data...)
	c, err := catalog.Load(catalog.Source{Name: *out, Data: text})
	if err != nil {
		log.Fatalf("generated catalog does not load: %v", err)
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		log.Fatal(err)
	}
	st := c.Stats()
	log.Printf("wrote %s: %d providers, %d models, %d price cards", *out, st.Providers, st.Models, st.Cards)
	for _, l := range report.Lines() {
		log.Print(l)
	}
}

func header(source, date string) string {
	return fmt.Sprintf(`# Default pricing catalog of otelcol-genai. GENERATED: do not edit by hand.
#
# Derived from the genai-prices data set (https://github.com/pydantic/genai-prices,
# MIT licence, copyright Pydantic Services Inc.; see NOTICE in this folder),
# %s (%s), by internal/cmd/importgenaiprices. Regenerate with `+"`make catalog`"+`.
#
# Prices are facts with a date; check them against your provider's bill. Put your
# own prices, discounts and private models in a separate file and list it under
# genai_cost.pricing.files: it overrides this catalog model by model.
`, source, date)
}
