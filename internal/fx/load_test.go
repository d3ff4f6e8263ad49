package fx

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadFormats(t *testing.T) {
	at := instant("2026-12-01T10:00:00Z")
	for _, c := range []struct {
		name, text, want string
	}{
		{"our CSV", "date,base,quote,rate\n2026-11-30,EUR,USD,1.0823\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"columns in any order, spaces, comments, CRLF, a trailing comma",
			"\uFEFF# rates\r\n\r\n Rate , QUOTE ,base,date,\r\n  # a comment\r\n1.0823 , USD, EUR ,2026-11-30,\r\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"quoted header and fields", "\"date\",\"base\",\"quote\",\"rate\"\n\"2026-11-30\",\"EUR\",\"USD\",\"1.0823\"\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"YAML with a number", "rates:\n  - {date: 2026-11-30, base: EUR, quote: USD, rate: 1.0823}\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"YAML keeps the literal text", "# c\n---\nrates:\n- date: 2026-11-30\n  base: EUR\n  quote: USD\n  rate: \"1.08230\"\n", "EUR>USD:EUR/USD=1.08230@2026-11-30"},
		{"ECB history", "Date,USD,JPY,\n2026-11-30,1.0823,N/A,\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"ECB history, empty for missing", "Date,JPY,USD\n2026-11-30,,1.0823\n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
		{"ECB daily", "Date, USD, JPY, \n30 November 2026, 1.0823, 162.47, \n", "EUR>USD:EUR/USD=1.0823@2026-11-30"},
	} {
		tab, err := Load([]Source{inline("x", c.text)})
		require.NoError(t, err, c.name)
		r, err := tab.Rate("EUR", "USD", at)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, r.String(), c.name)
	}
}

func TestLoadExtends(t *testing.T) {
	hist := file(t, "eurofxref-hist.csv")
	// The same rate again, even written otherwise, is no conflict.
	_, err := Load([]Source{hist, inline("again.csv", "date,base,quote,rate\n2026-11-30,EUR,USD,1.08230\n2026-11-30T00:00:00Z,EUR,GBP,0.8312\n")})
	require.NoError(t, err)

	for _, c := range []struct{ name, text, want string }{
		{"b.csv", "date,base,quote,rate\n# c\n2026-11-30,EUR,USD,1.09\n",
			"b.csv:3: rate: EUR/USD on 2026-11-30 is 1.09, but testdata/eurofxref-hist.csv:6 says 1.0823"},
		{"b.yaml", "rates:\n  - {date: '2026-11-30T00:00:00Z', base: EUR, quote: GBP, rate: 0.8313}\n",
			"b.yaml:2: rates[0].rate: EUR/GBP on 2026-11-30 is 0.8313, but testdata/eurofxref-hist.csv:6 says 0.8312"},
		{"eurofxref.csv", "Date, USD, JPY, \n04 December 2026, 1.0851, 163.05, \n",
			"eurofxref.csv:2: USD: EUR/USD on 2026-12-04 is 1.0851, but testdata/eurofxref-hist.csv:2 says 1.085"},
	} {
		_, err := Load([]Source{hist, inline(c.name, c.text)})
		assert.EqualError(t, err, c.want)
	}
	// Within one file too.
	_, err = Load([]Source{inline("x.csv", "date,base,quote,rate\n2026-11-30,EUR,USD,1.0823\n2026-11-30,EUR,USD,1.0824\n")})
	assert.EqualError(t, err, "x.csv:3: rate: EUR/USD on 2026-11-30 is 1.0824, but x.csv:2 says 1.0823")

	// Of several conflicts, the first read is named, whatever its pair;
	// on one ECB line, the leftmost column.
	for range 20 { // the pairs are kept in a map: try its orders
		_, err = Load([]Source{inline("x.csv", "date,base,quote,rate\n2026-11-30,ZZZ,USD,1\n2026-11-30,EUR,USD,2\n"+
			"2026-11-30,ZZZ,USD,1.5\n2026-11-30,EUR,USD,3\n2026-11-30,ZZZ,USD,1.6\n")})
		assert.EqualError(t, err, "x.csv:4: rate: ZZZ/USD on 2026-11-30 is 1.5, but x.csv:2 says 1")
		_, err = Load([]Source{inline("h.csv", "Date,USD,JPY,GBP,\n2026-11-30,1.08,162.47,0.83,\n"),
			inline("d.csv", "Date, GBP, JPY, USD, \n30 November 2026, 0.83, 162.48, 1.09, \n")})
		assert.EqualError(t, err, "d.csv:2: JPY: EUR/JPY on 2026-11-30 is 162.48, but h.csv:2 says 162.47")
	}
}

func TestLoadErrors(t *testing.T) {
	const h = "date,base,quote,rate\n"
	for _, c := range []struct{ text, want string }{
		// Formats.
		{"", "x: no exchange rates"},
		{"# only a comment\n\n", "x: no exchange rates"},
		{h, "x: no exchange rates"},
		{"rates: []\n", "x: no exchange rates"},
		{"\n\nEUR;USD;1.08\n", "x:3: unknown format; want a CSV with the header date,base,quote,rate, an ECB reference-rate CSV (Date,USD,JPY,...) or YAML with a rates: list"},
		{"{\"rates\": 1}", "x:1: rates: want a list of {date, base, quote, rate}"},
		// Our CSV: header.
		{"date,base,quote\n", `x:1: header: column "rate" is missing; want date, base, quote and rate`},
		{"date,base,quote,rate,note\n", `x:1: header: unknown column "note"; want date, base, quote and rate`},
		{"date,base,quote,rate,base\n", `x:1: header: column "base" is given twice`},
		// Our CSV: rows.
		{h + "2026-11-30,usd,EUR,1\n", `x:2: base: "usd" is not a currency code (three upper-case letters, such as USD)`},
		{h + "2026-11-30,EUR,EURO,1\n", `x:2: quote: "EURO" is not a currency code (three upper-case letters, such as USD)`},
		{h + "2026-11-30,E1R,USD,1\n", `x:2: base: "E1R" is not a currency code (three upper-case letters, such as USD)`},
		{h + "2026-11-30,EUR,EUR,1\n", "x:2: quote: EUR/EUR has the same currency on both sides"},
		{h + "2026-11-30,EUR,USD\n", "x:2: rate: rate is empty; want a positive decimal such as 1.0823"},
		{h + "2026-11-30,EUR,USD,0\n", `x:2: rate: rate "0" is not positive`},
		{h + "2026-11-30,EUR,USD,0.000\n", `x:2: rate: rate "0.000" is not positive`},
		{h + "2026-11-30,EUR,USD,-1.08\n", `x:2: rate: rate "-1.08" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,+1.08\n", `x:2: rate: rate "+1.08" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,1e3\n", `x:2: rate: rate "1e3" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,1.\n", `x:2: rate: rate "1." is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,.5\n", `x:2: rate: rate ".5" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,1.2.3\n", `x:2: rate: rate "1.2.3" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,NaN\n", `x:2: rate: rate "NaN" is not a positive decimal such as 1.0823`},
		{h + "2026-11-30,EUR,USD,0.0000000000001\n", `x:2: rate: rate "0.0000000000001" has more than 12 decimal places`},
		{h + "2026-11-30,EUR,USD,1234567890123456789\n", `x:2: rate: rate "1234567890123456789" has more than 18 significant digits`},
		{h + "30/11/2026,EUR,USD,1\n", `x:2: date: "30/11/2026" is not a date (2006-01-02) or an RFC 3339 time`},
		{h + "2026-11-31,EUR,USD,1\n", `x:2: date: "2026-11-31" is not a date (2006-01-02) or an RFC 3339 time`},
		{h + "2026-11-30T10:00:00,EUR,USD,1\n", `x:2: date: "2026-11-30T10:00:00" is not a date (2006-01-02) or an RFC 3339 time`},
		{h + "1066-10-14,EUR,USD,1\n", `x:2: date: "1066-10-14" is outside the years 1900 to 2200`},
		{h + "\n# c\n2026-11-30,EUR,USD,1,extra\n", `x:4: field 5: "extra" is beyond the header's columns`},
		{h + "2026-11-30,\"EUR,USD,1\n", `x:2: extraneous or missing " in quoted-field`},
		// ECB.
		{"Date,USD,usd\n", `x:1: header: column 3: "usd" is not a currency code (three upper-case letters, such as USD)`},
		{"Date,USD,,JPY\n", `x:1: header: column 3: "" is not a currency code (three upper-case letters, such as USD)`},
		{"Date,USD,EUR\n", "x:1: header: column 3: EUR is the base of ECB rates, not a quote"},
		{"Date,USD,USD\n", "x:1: header: column USD is given twice"},
		{"Date,USD,JPY,\n2026-11-30,1.08,162.47,\n2026-11-27,1.07,n/a,\n", `x:3: JPY: rate "n/a" is not a positive decimal such as 1.0823`},
		{"Date,USD,\n2026-11-30,1.08,1.09\n", `x:2: field 3: "1.09" is beyond the header's columns`},
		{"Date, USD, \n31 November 2026, 1.08, \n", `x:2: Date: "31 November 2026" is not a date (2006-01-02 or 02 January 2006)`},
		// YAML.
		{"rates:\n  - {date: 2026-11-30, base: EUR, quote: USD, rate: 1, note: x}\n", `x:2: rates[0]: unknown field "note" (allowed: date, base, quote, rate)`},
		{"rates:\n  - {date: 2026-11-30, base: EUR, rate: 1}\n", "x:2: rates[0]: quote is required"},
		{"rates:\n  - {date: 2026-11-30, base: EUR, base: EUR, quote: USD, rate: 1}\n", "x:2: rates[0]: base is given twice"},
		{"rates:\n  - date: 2026-11-30\n    base: EUR\n    quote: USD\n    rate: [1]\n", "x:5: rates[0].rate: want a single value"},
		{"rates:\n  - date: 2026-11-30\n    base: EUR\n    quote: USD\n    rate: 1.0823e0\n", `x:5: rates[0].rate: rate "1.0823e0" is not a positive decimal such as 1.0823`},
		{"rates:\n  - {date: 2026-11-30, base: EUR, quote: USD, rate: 1}\n  - date: 2026-13-01\n    base: EUR\n    quote: USD\n    rate: 1\n",
			`x:3: rates[1].date: "2026-13-01" is not a date (2006-01-02) or an RFC 3339 time`},
		{"rates:\n  - date: 2026-11-30\n    base: EUR\n    quote: Usd\n    rate: 1\n", `x:4: rates[0].quote: "Usd" is not a currency code (three upper-case letters, such as USD)`},
		{"rates:\n  - {date: 2026-11-30, base: EUR, quote: USD, rate: 1}\n  - 7\n", "x:3: rates[1]: want a mapping {date, base, quote, rate}"},
		{"rates:\n  - &a {date: 2026-11-30, base: EUR, quote: USD, rate: 1}\n  - *a\n", "x:3: rates[1]: want a mapping {date, base, quote, rate}"},
		{"rates:\n  - {date: 2026-11-30, base: EUR, quote: USD, rate: 1}\nsource: ecb\n", `x:3: unknown field "source" (allowed: rates)`},
		{"rates: [\n", "x: yaml: line 1: did not find expected node content"},
		{"---\n- 1\n", "x:2: want a mapping with a rates: list"},
	} {
		_, err := Load([]Source{inline("x", c.text)})
		assert.EqualError(t, err, c.want, "%q", c.text)
	}

	_, err := Load(nil)
	assert.EqualError(t, err, "no exchange-rate sources")
}

func TestLoadTooManyCurrencies(t *testing.T) {
	var b strings.Builder
	b.WriteString("date,base,quote,rate\n")
	for i := range 501 {
		fmt.Fprintf(&b, "2026-01-01,A%c%c,B%c%c,1\n", 'A'+i/26%26, 'A'+i%26, 'A'+i/26%26, 'A'+i%26)
	}
	_, err := Load([]Source{inline("x.csv", b.String())})
	assert.EqualError(t, err, "1002 currencies; a table holds at most 1000")
}
