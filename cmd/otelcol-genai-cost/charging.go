package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/charge"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/fx"
)

// charger builds the exporter's charging step from the flags: the
// contract terms, the reporting currency and its rates, and cat to find
// the cards of terms that set rates.
func (p *priceFlags) charger(cat *catalog.Catalog) (*charge.Charger, error) {
	ch := &charge.Charger{Card: cat.Card, Currency: p.currency}
	var err error
	if p.contracts != "" {
		if ch.Terms, err = loadContracts(p.contracts); err != nil {
			return nil, err
		}
	}
	if len(p.rates) > 0 {
		if ch.Rates, err = loadRates(p.rates, p.maxAge); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// contractKeys are the keys of one contract term, as under the
// genai_usage exporter's contracts: (contract.Config).
var contractKeys = []string{"name", "from", "to", "match", "multiplier", "rates"}

// loadContracts reads a YAML file of contract terms: a list of terms as
// under the exporter's contracts:, or a mapping with that contracts: key
// (an excerpt of the exporter's config). Errors name the file, the line
// and the term.
func loadContracts(path string) (*contract.Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	list := &doc
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = list.Content[0]
	}
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if list.Content[i].Value == "contracts" {
				found = list.Content[i+1]
			}
		}
		if found == nil {
			return nil, fmt.Errorf("%s:%d: want a list of contract terms, or a mapping with a contracts key", path, list.Line)
		}
		list = found
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of contract terms (name, from, to, match, multiplier or rates)", path, list.Line)
	}
	cfgs := make([]contract.Config, len(list.Content))
	var errs []error
	for i, n := range list.Content {
		if err := decodeTerm(n, &cfgs[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: contracts[%d]: %w", path, n.Line, i, err))
			continue
		}
		// Each term alone first, for its line; then the set, for ids given twice.
		if _, err := contract.New(cfgs[i : i+1]); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: contracts[%d] (%s): %w", path, n.Line, i, cfgs[i].Name, termError(err)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	set, err := contract.New(cfgs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return set, nil
}

func decodeTerm(n *yaml.Node, cfg *contract.Config) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("a term is a mapping (name, from, to, match, multiplier or rates)")
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(contractKeys, k.Value) {
			return fmt.Errorf("line %d: unknown field %q (allowed: %s)", k.Line, k.Value, strings.Join(contractKeys, ", "))
		}
	}
	// The field names of contract.Config are its keys in lower case, as
	// yaml names them.
	return n.Decode(cfg)
}

// termError is the error of one term's contract.New without the prefix
// that numbers it in a set of one.
func termError(err error) error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && len(joined.Unwrap()) == 1 {
		if inner := errors.Unwrap(joined.Unwrap()[0]); inner != nil {
			return inner
		}
	}
	return err
}

// loadRates reads exchange-rate files as the exporter's exchange_rates
// does (internal/fx): our CSV or YAML, or the ECB's reference rates.
func loadRates(files []string, maxAge time.Duration) (*fx.Table, error) {
	srcs := make([]fx.Source, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, fx.Source{Name: f, Data: data})
	}
	return fx.Load(srcs, fx.WithMaxAge(maxAge))
}
