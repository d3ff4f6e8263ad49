package main

import (
	"errors"
	"flag"
	"math/big"
	"regexp"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/config/pricing"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/pricesource"
)

// catalogFlags choose the catalog a command prices with, as the
// processor's pricing block does: the embedded default catalog unless
// --no-default, with --files applied over it in order.
type catalogFlags struct {
	files     listFlag
	noDefault bool
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.files, "files", "price `FILE`s applied over the default catalog in order (catalog YAML, LiteLLM or genai-prices JSON); repeat or separate with commas")
	fs.BoolVar(&c.noDefault, "no-default", false, "leave out the embedded default catalog (then --files is required)")
}

// check reports a command-line mistake in the flags.
func (c *catalogFlags) check() error {
	if c.noDefault && len(c.files) == 0 {
		return errors.New("--no-default needs --files: a catalog to price with")
	}
	return nil
}

func (c *catalogFlags) load() (*catalog.Catalog, error) {
	cat, _, err := loadCatalog(!c.noDefault, c.files)
	return cat, err
}

// loadCatalog loads the catalog as the processor does (pricing.LoadReports):
// the embedded default if withDefault, the files over it. Errors start with
// the file and line, without the processor's config keys.
func loadCatalog(withDefault bool, files []string) (*catalog.Catalog, []*pricesource.Report, error) {
	cat, reports, err := pricing.LoadReports(withDefault, files)
	if err != nil {
		return nil, nil, errors.New(configKey.ReplaceAllString(err.Error(), ""))
	}
	return cat, reports, nil
}

// configKey is the config key pricing puts before an error: the file's
// name and line follow it.
var configKey = regexp.MustCompile(`^pricing(\.files\[\d+\])?: `)

// rateKey is a card rate's key and its unit: the number of units the
// key's price is for (a million tokens for _mtok keys).
type rateKey struct {
	key string
	per int64
}

// keyOf returns the catalog key of meter m and its unit.
func keyOf(m meter.Meter) rateKey {
	k := catalog.RateKey(m)
	_, r, err := catalog.ParseRate(k, "0")
	if err != nil {
		return rateKey{key: k, per: 1}
	}
	return rateKey{key: k, per: r.Price.Per}
}

// unitName names a key's unit for people: "1M tokens", "1K requests".
func (k rateKey) unitName() string {
	switch {
	case k.per == 1_000_000 && strings.HasSuffix(k.key, "_mtok"):
		return "1M tokens"
	case k.per == 1_000 && strings.HasSuffix(k.key, "_kcount"):
		return "1K " + strings.TrimSuffix(k.key, "_kcount")
	}
	return ""
}

// rateValue is a price as an exact fraction of a currency unit per the
// key's unit: a card's own rates are decimals in that unit already, a
// variant's may be stated per a scaled block.
func rateValue(k rateKey, p money.Price) *big.Rat {
	if p.Per == 0 {
		return new(big.Rat)
	}
	num := new(big.Int).Mul(big.NewInt(int64(p.Nanos)), big.NewInt(k.per))
	den := new(big.Int).Mul(big.NewInt(p.Per), big.NewInt(money.NanosPerUnit))
	return new(big.Rat).SetFrac(num, den)
}

// rateText is a price as the decimal per the key's unit a catalog file
// would state.
func rateText(k rateKey, p money.Price) string { return exactDecimal(rateValue(k, p)) }

// exactDecimal writes r as a plain decimal, exactly when it has a finite
// decimal expansion (every price and amount here has), else to 18 places
// followed by "...".
func exactDecimal(r *big.Rat) string {
	den := new(big.Int).Set(r.Denom())
	places := 0
	for _, p := range []int64{2, 5} {
		n, bp := 0, big.NewInt(p)
		for new(big.Int).Mod(den, bp).Sign() == 0 {
			den.Quo(den, bp)
			n++
		}
		places = max(places, n)
	}
	if den.Cmp(big.NewInt(1)) != 0 {
		return trimZeros(r.FloatString(18)) + "..."
	}
	return trimZeros(r.FloatString(places))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// ratesList returns the set rates of rs in meter order as key, decimal.
func ratesList(rs *catalog.Rates) []rateEntry {
	var out []rateEntry
	for m := meter.Meter(0); m < meter.Count; m++ {
		if rs[m].Set {
			k := keyOf(m)
			out = append(out, rateEntry{Key: k.key, Rate: rateText(k, rs[m].Price), Unit: k.unitName()})
		}
	}
	return out
}

// rateEntry is one rate of a card as shown.
type rateEntry struct {
	Key  string `json:"key"`
	Rate string `json:"rate"`
	Unit string `json:"per"`
}
