// Package pricesource converts public LLM price data sets into this project's
// catalog format: the genai-prices data file (pydantic/genai-prices) and
// LiteLLM's model_prices_and_context_window.json. Prices are carried over as
// the literal decimal text of the JSON, never through a binary float. Each
// converter returns the catalog YAML as a catalog.Source and a Report of
// everything it left out, so that no price is dropped silently.
package pricesource

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Report tells what a conversion kept and what it left out.
type Report struct {
	// Format is the source format: FormatGenAIPrices or FormatLiteLLM.
	Format Format
	// Entries is the number of models (genai-prices) or top-level entries
	// (LiteLLM) read; Models the number of catalog models written.
	Entries, Models int
	// Skipped counts source entries left out of the catalog, by reason.
	Skipped map[string]*Tally
	// Dropped counts prices of converted models that were not carried over,
	// by price key or reason.
	Dropped map[string]*Tally
	// Rounded lists values carrying binary-float noise that were rounded to
	// 9 decimal places, the precision of the catalog.
	Rounded []string
	// Notes holds other findings, such as match-order checks.
	Notes []string
}

// Tally is a count of entries with a few of their ids.
type Tally struct {
	Count    int
	Examples []string
}

const maxExamples = 5

func add(m map[string]*Tally, reason, id string) {
	t := m[reason]
	if t == nil {
		t = &Tally{}
		m[reason] = t
	}
	t.Count++
	if len(t.Examples) < maxExamples {
		t.Examples = append(t.Examples, id)
	}
}

func newReport(f Format) *Report {
	return &Report{Format: f, Skipped: map[string]*Tally{}, Dropped: map[string]*Tally{}}
}

// Lines returns the report as lines of text, reasons in sorted order.
func (r *Report) Lines() []string {
	lines := []string{fmt.Sprintf("%s: %d entries read, %d models converted", r.Format, r.Entries, r.Models)}
	tallies := func(what string, m map[string]*Tally) {
		for _, k := range sortedKeys(m) {
			t := m[k]
			ex := strings.Join(t.Examples, ", ")
			if t.Count > len(t.Examples) {
				ex += ", ..."
			}
			lines = append(lines, fmt.Sprintf("%s %s: %d (%s)", what, k, t.Count, ex))
		}
	}
	tallies("skipped", r.Skipped)
	tallies("not imported", r.Dropped)
	for _, s := range r.Rounded {
		lines = append(lines, "rounded "+s)
	}
	return append(lines, r.Notes...)
}

// SkippedTotal is the number of entries skipped for any reason.
func (r *Report) SkippedTotal() int {
	n := 0
	for _, t := range r.Skipped {
		n += t.Count
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decimalText returns a price's decimal text as the catalog reads it. A value
// with more than 9 decimal places (binary-float noise such as
// 0.18000000000000002) is rounded to 9, half to even, and reported.
func decimalText(s string, r *Report, where string) (string, error) {
	if _, err := money.ParseDecimal(s); err == nil {
		return s, nil
	}
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("%s: price %q is not a number", where, s)
	}
	fixed := roundHalfEven(v, 9)
	if _, err := money.ParseDecimal(fixed); err != nil {
		return "", fmt.Errorf("%s: price %q: %w", where, s, err)
	}
	r.Rounded = append(r.Rounded, fmt.Sprintf("%s: %s to %s", where, s, fixed))
	return fixed, nil
}

// roundHalfEven formats v with at most places decimals, rounded half to even,
// without trailing zeros.
func roundHalfEven(v *big.Rat, places int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	num := new(big.Int).Mul(v.Num(), scale)
	q, rem := new(big.Int).QuoRem(num, v.Denom(), new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
	if c := twice.Cmp(v.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	s := new(big.Rat).SetFrac(q, scale).FloatString(places)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// shiftDecimal multiplies the decimal number s by 10^places by moving its
// decimal point, and returns plain decimal text (no exponent, no trailing
// zeros): shiftDecimal("2.5e-06", 6) is "2.5". It never goes through a
// binary float.
func shiftDecimal(s string, places int) (string, error) {
	m := decimalRE.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%q is not a decimal number", s)
	}
	sign, intPart, frac := m[1], m[2], m[3]
	exp := places
	if m[4] != "" {
		e, err := strconv.Atoi(m[4])
		if err != nil || e > 100 || e < -100 {
			return "", fmt.Errorf("%q has an exponent out of range", s)
		}
		exp += e
	}
	digits := intPart + frac
	if digits == "" {
		return "", fmt.Errorf("%q is not a decimal number", s)
	}
	point := len(intPart) + exp // position of the decimal point in digits
	switch {
	case point <= 0:
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	ip := strings.TrimLeft(digits[:point], "0")
	if ip == "" {
		ip = "0"
	}
	fp := strings.TrimRight(digits[point:], "0")
	out := ip
	if fp != "" {
		out += "." + fp
	}
	if sign == "-" && out != "0" {
		out = "-" + out
	}
	return out, nil
}

var decimalRE = regexp.MustCompile(`^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$`)

// q quotes a YAML scalar when it needs it.
func q(s string) string {
	if s != "" && plainRE.MatchString(s) && !slices.Contains([]string{"true", "false", "null", "yes", "no", "on", "off", "y", "n"}, strings.ToLower(s)) {
		return s
	}
	b, _ := json.Marshal(s) // a JSON string is a valid YAML double-quoted scalar
	return string(b)
}

var plainRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)

func joinQ(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = q(s)
	}
	return strings.Join(out, ", ")
}

const catalogHead = "catalog_version: 1\ncurrency: USD\nproviders:\n"
