package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

func runExport(args []string, stdout, stderr io.Writer) int {
	f := newFlags("export", "export --from TIME --to TIME [--format csv|json] [--filter KEY=VALUE]... [-o FILE]",
		"Exports the usage records of [from, to) from a running collector's usage API, as CSV (one row per\n"+
			"call, list and actual cost, contract, exchange rate) or as the JSON file that POST import reads,\n"+
			"for chargeback. Filters are the API's: provider, model, service, environment, status, q and the\n"+
			"dimensions (user, tenant, department, session, session_type, feature, api_key).")
	var a apiFlags
	a.add(f, "GENAI_USAGE_API_TOKEN")
	from := f.String("from", "", "first start time (RFC 3339 or a date, UTC)")
	to := f.String("to", "", "end of the range, exclusive")
	format := f.String("format", "csv", "csv or json")
	out := f.String("o", "", "write to this file instead of stdout")
	var filters listFlag
	f.Var(&filters, "filter", "KEY=VALUE, as many as needed: --filter tenant=acme --filter provider=openai")
	if code, ok := f.parseNone(args, stdout, stderr); !ok {
		return code
	}
	start, err := parseTimeFlag("from", *from)
	if err != nil {
		return f.usageError(stderr, "%v", err)
	}
	end, err := parseTimeFlag("to", *to)
	if err != nil {
		return f.usageError(stderr, "%v", err)
	}
	if *format != "csv" && *format != "json" {
		return f.usageError(stderr, "--format: %q is not csv or json", *format)
	}
	q := url.Values{"from": {start.Format("2006-01-02T15:04:05.999999999Z07:00")}, "to": {end.Format("2006-01-02T15:04:05.999999999Z07:00")}, "format": {*format}}
	for _, kv := range filters {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return f.usageError(stderr, "--filter: %q is not KEY=VALUE", kv)
		}
		q.Add(k, v)
	}
	c := a.client()
	c.http.Timeout = 0 // a year of records streams for a while
	resp, err := c.send("GET", "/api/v1/usage/export?"+q.Encode(), "")
	if err != nil {
		return fail(stderr, "export", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fail(stderr, "export", fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b))))
	}
	w := stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return fail(stderr, "export", err)
		}
		w = file
	}
	n, err := io.Copy(w, resp.Body)
	if file != nil {
		err = errors.Join(err, file.Close())
	}
	if err != nil {
		return fail(stderr, "export", fmt.Errorf("the export stopped after %d bytes: %w", n, err))
	}
	if *out != "" {
		say(stderr, fmt.Sprintf("wrote %s: %d bytes\n", *out, n))
	}
	return exitOK
}
