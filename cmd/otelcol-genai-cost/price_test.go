package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPriceContractAndConversion(t *testing.T) {
	// The worked example of docs/pricing.md: gpt-4o-mini on Monday
	// 2026-11-30 at 09:00, under openai-enterprise@2026-11-15 (x 0.8), at
	// EUR/USD 1.0823 of that day.
	//   input      1,000,000 x 0.15/M  = 0.15,  x 0.8 = 0.12,  / 1.0823 = 0.11087498845... -> 0.110874988
	//   cache_read   200,000 x 0.075/M = 0.015, x 0.8 = 0.012, / 1.0823 = 0.01108749884... -> 0.011087499
	//   output       100,000 x 0.6/M   = 0.06,  x 0.8 = 0.048, / 1.0823 = 0.04434999538... -> 0.044349995
	// actual 0.166312482 EUR; list in EUR 0.15, 0.015, 0.06 / 1.0823 =
	// 0.138593736 + 0.013859374 + 0.055437494 = 0.207890604.
	out, errOut, code := cli(t, append([]string{"price"}, args("--model", "gpt-4o-mini", "--at", "2026-11-30T09:00:00Z",
		"--input", "1000000", "--cache-read", "200000", "--output", "100000",
		"--contracts", "testdata/contracts.yaml", "--rates", "testdata/rates.csv", "--currency", "EUR")...)...)
	want := `model:  openai/gpt-4o-mini
card:   openai/gpt-4o-mini#9272c02c
at:     2026-11-30T09:00:00Z
meter        tokens   rate  per        amount       actual
input       1000000   0.15  1M tokens    0.15  0.110874988
cache_read   200000  0.075  1M tokens   0.015  0.011087499
output       100000    0.6  1M tokens    0.06  0.044349995
list:      0.225 USD
contract:  openai-enterprise@2026-11-15 (multiplier 0.8)
fx rate:   USD>EUR:EUR/USD=1.0823@2026-11-30
actual:    0.166312482 EUR (0.18 USD before conversion)
list:      0.207890604 EUR
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestPriceJSON(t *testing.T) {
	// The same call on Saturday 2026-11-28 uses Friday's rate, 1.0811:
	// 0.12 / 1.0811 = 0.11099805753... -> 0.110998058, 0.012 / 1.0811 =
	// 0.01109980575... -> 0.011099806, 0.048 / 1.0811 = 0.04439922301...
	// -> 0.044399223; 0.166497087 EUR.
	out, errOut, code := cli(t, append([]string{"price", "--json"}, args("--model", "gpt-4o-mini", "--at", "2026-11-28T09:00:00Z",
		"--input", "1000000", "--cache-read", "200000", "--output", "100000",
		"--contracts", "testdata/contracts.yaml", "--rates", "testdata/rates.csv", "--currency", "EUR")...)...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, `"fx_rate": "USD>EUR:EUR/USD=1.0811@2026-11-27"`) {
		t.Errorf("the fx rate is not written as it reads:\n%s", out)
	}
	var got priceOut
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := chargeOut{Contract: "openai-enterprise@2026-11-15", Multiplier: "0.8", FXRate: "USD>EUR:EUR/USD=1.0811@2026-11-27",
		Cost: "0.166497087", ListCost: "0.208121358", Currency: "EUR", SourceCost: "0.18", SourceCurrency: "USD",
		CacheSaved: "0.013874757"}
	if got.Charged == nil || *got.Charged != want {
		t.Errorf("charged %+v\nwant    %+v", got.Charged, want)
	}
	if got.ListTotal != "0.225" || got.ListCurr != "USD" || got.Status != "priced" || len(got.Lines) != 3 ||
		got.Lines[0] != (lineOut{Meter: "input", Tokens: 1000000, Key: "input_mtok", Rate: "0.15", Per: "1M tokens", Amount: "0.15", Actual: "0.110998058"}) {
		t.Errorf("got %+v", got)
	}
	// Caching saved (0.15 - 0.075) x 200,000 / 1M = 0.015 USD, in EUR
	// 0.015 / 1.0811 = 0.01387475719... -> 0.013874757.
	if got.CacheSaved != "0.015" || got.Charged.CacheSaved != "0.013874757" {
		t.Errorf("cache saved %s USD, %s EUR; want 0.015 and 0.013874757", got.CacheSaved, got.Charged.CacheSaved)
	}
}

func TestPrice(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string // the lines from the meter table on
	}{
		{
			// 310,000 input tokens in all, above 272,000: every meter at
			// the tier's rates: 300,000 x 5/M = 1.5, 10,000 x 2.5/M =
			// 0.025, 1,000 x 15/M = 0.015.
			"long context",
			[]string{"--model", "gpt-4o", "--at", "2026-11-30", "--input", "300000", "--cache-read", "10000", "--output", "1000"},
			`tier:   above 272000 input tokens: every meter at the tier's rates
meter       tokens  rate  per        amount
input       300000     5  1M tokens     1.5
cache_read   10000   2.5  1M tokens   0.025
output        1000    15  1M tokens   0.015
list:  1.54 USD
`,
		},
		{
			// The card's flex variant, 0.5: 200,000 x 1.25/M = 0.25,
			// 100,000 x 5/M = 0.5.
			"flex",
			[]string{"--model", "gpt-4o", "--at", "2026-11-30", "--tier", "flex", "--input", "200000", "--output", "100000"},
			`meter   tokens  rate  per        amount
input   200000  1.25  1M tokens    0.25
output  100000     5  1M tokens     0.5
list:  0.75 USD
`,
		},
		{
			// Audio is a part of input with no rate: left out, the call is
			// partial. 999,000 x 0.15/M = 0.14985; 5-minute cache writes
			// fall back to the input rate: 2,000 x 0.15/M = 0.0003.
			"partial",
			[]string{"--model", "gpt-4o-mini", "--at", "2026-11-30", "--input", "1000000", "--input-audio", "1000", "--cache-write", "2000"},
			`meter           tokens             rate  per         amount
input           999000             0.15  1M tokens  0.14985
input_audio       1000          no rate                   -
cache_write_5m    2000  (as input) 0.15  1M tokens   0.0003
list:     0.15015 USD
partial:  no rate for input_audio: left out of the amount
`,
		},
		{
			// research-rates for res-* users from 2026-11-20: input and
			// output at its rates, cache reads at the card's:
			// 0.10 + 0.015 + 100,000 x 0.40/M = 0.155.
			"rates term",
			[]string{"--model", "gpt-4o-mini", "--at", "2026-11-20T12:00:00Z", "--input", "1000000", "--cache-read", "200000", "--output", "100000",
				"--contracts", "testdata/contracts.yaml", "--dim", "user=res-bob", "--dim", "feature=search,chat"},
			`meter        tokens   rate  per        amount  actual
input       1000000   0.15  1M tokens    0.15     0.1
cache_read   200000  0.075  1M tokens   0.015   0.015
output       100000    0.6  1M tokens    0.06    0.04
list:      0.225 USD
contract:  research-rates@2026-11-20 (its own rates)
actual:    0.155 USD
`,
		},
		{
			// Half to even: under openai-enterprise@2026-11-01 (x 0.9), 3
			// cache reads cost 225 nanos, x 0.9 = 202.5 -> 202; 1 input
			// token 150 nanos -> 135; 1 output token 600 nanos -> 540.
			"half to even",
			[]string{"--model", "gpt-4o-mini", "--at", "2026-11-10", "--input", "1", "--cache-read", "3", "--output", "1",
				"--contracts", "testdata/contracts.yaml"},
			`meter       tokens   rate  per             amount       actual
input            1   0.15  1M tokens   0.00000015  0.000000135
cache_read       3  0.075  1M tokens  0.000000225  0.000000202
output           1    0.6  1M tokens    0.0000006   0.00000054
list:      0.000000975 USD
contract:  openai-enterprise@2026-11-01 (multiplier 0.9)
actual:    0.000000877 USD
`,
		},
	} {
		out, errOut, code := cli(t, append([]string{"price"}, args(c.args...)...)...)
		_, table, _ := strings.Cut(out, "\nat:")
		_, table, _ = strings.Cut(table, "\n")
		if code != exitOK || table != c.want || errOut != "" {
			t.Errorf("%s: exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", c.name, code, table, c.want, errOut)
		}
	}
}

func TestPriceErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		// Before the first rate, and (with --max-age 120h) more than five
		// days after the last: the call stays in USD.
		{[]string{"--model", "gpt-4o-mini", "--at", "2026-11-01T12:00:00Z", "--input", "1000000", "--rates", "testdata/rates.csv", "--currency", "EUR"}, exitFindings,
			"otelcol-genai-cost price: no exchange rate: no exchange rate yet from USD to EUR at 2026-11-01T12:00:00Z: the first EUR/USD rate takes effect on 2026-11-27 (testdata/rates.csv:3)\n"},
		{[]string{"--model", "gpt-4o-mini", "--input", "1", "--contracts", "testdata/contracts-bad.yaml"}, exitFindings,
			`otelcol-genai-cost price: testdata/contracts-bad.yaml:4: contracts[1]: line 6: unknown field "mutliplier" (allowed: name, from, to, match, multiplier, rates)
testdata/contracts-bad.yaml:7: contracts[2] (negative): rates.input_mtok: "-1" is negative
`},
		{[]string{"--model", "gpt-4o-mini", "--currency", "EUR"}, exitUsage,
			"otelcol-genai-cost price: --currency needs --rates: amounts are converted at the rate in force at the call's time\n"},
		{[]string{"--model", "gpt-4o-mini", "--rates", "testdata/rates.csv", "--currency", "euro"}, exitUsage,
			`otelcol-genai-cost price: --currency: "euro" is not an ISO 4217 code such as EUR` + "\n"},
		{[]string{"--model", "gpt-4o-mini", "--output", "-5"}, exitUsage, "otelcol-genai-cost price: --output: -5 is negative\n"},
		{[]string{"--model", "gpt-4o-mini", "--dim", "team=x"}, exitUsage,
			`otelcol-genai-cost price: --dim "team=x": want NAME=VALUE with NAME one of user, tenant, department, session, session_type, feature, api_key` + "\n"},
		{[]string{"--model", "gpt-4o-mini", "--at", "2026-12-05T12:00:00Z", "--input", "1", "--rates", "testdata/rates.csv", "--currency", "EUR", "--max-age", "120h"}, exitFindings,
			"otelcol-genai-cost price: no exchange rate: "},
		{[]string{"--model", "gpt-4o-mini", "--input", "many"}, exitUsage,
			`otelcol-genai-cost price: invalid value "many" for flag -input: parse error` + "\n"},
	} {
		out, errOut, code := cli(t, append([]string{"price"}, args(c.args...)...)...)
		if code != c.code || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("price %v: exit %d (want %d)\nstderr: %s\nwant:   %s", c.args, code, c.code, errOut, c.want)
		}
		if c.code == exitUsage && out != "" {
			t.Errorf("price %v: a usage error printed %q", c.args, out)
		}
	}
	if out, errOut, code := cli(t, "price", "--model", "gpt-4o-mini", "--no-default"); code != exitUsage || out != "" ||
		!strings.HasPrefix(errOut, "otelcol-genai-cost price: --no-default needs --files: a catalog to price with\n") {
		t.Errorf("--no-default alone: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestEveryMeterHasAFlag(t *testing.T) {
	for m := range meterHelp {
		if meterHelp[m] == "" {
			t.Errorf("meter %d has no help text for its flag", m)
		}
	}
}
