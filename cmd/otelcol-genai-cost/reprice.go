package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// repriceRun is a run as the API answers it.
type repriceRun struct {
	ID      int64     `json:"id"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	DryRun  bool      `json:"dry_run"`
	Status  string    `json:"status"`
	Cursor  string    `json:"cursor"`
	Scanned int64     `json:"scanned"`
	Changed int64     `json:"changed"`
	Models  []struct {
		Provider   string            `json:"provider"`
		Model      string            `json:"model"`
		Calls      int64             `json:"calls"`
		Before     map[string]string `json:"before"`
		After      map[string]string `json:"after"`
		BeforeList map[string]string `json:"before_list"`
		AfterList  map[string]string `json:"after_list"`
	} `json:"models"`
	Error string `json:"error"`
}

func runReprice(args []string, stdout, stderr io.Writer) int {
	f := newFlags("reprice", "reprice --from TIME --to TIME [--dry-run] [--reason TEXT] [--resume ID] [--no-wait] [--json]",
		"Reprices the stored records of [from, to) through a running collector's usage API (an admin token):\n"+
			"with the catalog, contracts and exchange rates the collector has now, each call at the prices in\n"+
			"force at its time. A dry run reports what would change and changes nothing; run it first. The run\n"+
			"goes on in the collector; this command follows it and prints, per model, the calls changed and\n"+
			"their costs before and after. See docs/pricing.md, \"Repricing\".")
	var a apiFlags
	a.add(f, "GENAI_USAGE_ADMIN_TOKEN")
	from := f.String("from", "", "first start time repriced (RFC 3339 or a date, UTC)")
	to := f.String("to", "", "end of the range, exclusive")
	dry := f.Bool("dry-run", false, "report what would change, change nothing")
	reason := f.String("reason", "", "why, for the audit trail")
	resume := f.Int64("resume", 0, "resume the run with this id instead of starting one")
	noWait := f.Bool("no-wait", false, "start the run and return")
	asJSON := f.Bool("json", false, "print the run as JSON")
	if code, ok := f.parseNone(args, stdout, stderr); !ok {
		return code
	}
	c := a.client()
	var run repriceRun
	if *resume > 0 {
		if err := c.do("POST", "/api/v1/usage/reprice/"+strconv.FormatInt(*resume, 10)+"/resume", "", &run); err != nil {
			return fail(stderr, "reprice", err)
		}
	} else {
		start, err := parseTimeFlag("from", *from)
		if err != nil {
			return f.usageError(stderr, "%v", err)
		}
		end, err := parseTimeFlag("to", *to)
		if err != nil {
			return f.usageError(stderr, "%v", err)
		}
		body, _ := json.Marshal(map[string]any{"from": start.Format(time.RFC3339Nano), "to": end.Format(time.RFC3339Nano), "dry_run": *dry, "reason": *reason})
		if err := c.do("POST", "/api/v1/usage/reprice", string(body), &run); err != nil {
			return fail(stderr, "reprice", err)
		}
	}
	say(stderr, fmt.Sprintf("run %d started (%s to %s%s)\n", run.ID, run.From.Format(time.RFC3339), run.To.Format(time.RFC3339), map[bool]string{true: ", dry run"}[run.DryRun]))
	if !*noWait {
		last := time.Now()
		for run.Status == "running" {
			time.Sleep(250 * time.Millisecond)
			if err := c.do("GET", "/api/v1/usage/reprice/"+strconv.FormatInt(run.ID, 10), "", &run); err != nil {
				return fail(stderr, "reprice", err)
			}
			if time.Since(last) > 5*time.Second {
				say(stderr, fmt.Sprintf("run %d: %d records read, %d changed\n", run.ID, run.Scanned, run.Changed))
				last = time.Now()
			}
		}
	}
	var out string
	if *asJSON {
		b, _ := json.MarshalIndent(run, "", "  ")
		out = string(b) + "\n"
	} else {
		out = formatRun(&run)
	}
	if code := emit(stdout, stderr, "reprice", out); code != exitOK {
		return code
	}
	if run.Status == "failed" {
		return fail(stderr, "reprice", fmt.Errorf("%w: %s (resume it with --resume %d)", errRunFailed, run.Error, run.ID))
	}
	return exitOK
}

// formatRun prints a run and what it changed per model.
func formatRun(run *repriceRun) string {
	var b strings.Builder
	kind := "run"
	if run.DryRun {
		kind = "dry run"
	}
	fmt.Fprintf(&b, "%s %d: %s; %d records read, %d changed%s\n", kind, run.ID, run.Status, run.Scanned, run.Changed,
		map[bool]string{true: " (nothing written)"}[run.DryRun && run.Status == "done"])
	if len(run.Models) == 0 {
		return b.String()
	}
	rows := [][]string{{"provider/model", "calls", "cost before", "cost after", "list before", "list after"}}
	for _, m := range run.Models {
		rows = append(rows, []string{m.Provider + "/" + m.Model, strconv.FormatInt(m.Calls, 10),
			amountsText(m.Before), amountsText(m.After), amountsText(m.BeforeList), amountsText(m.AfterList)})
	}
	t := &table{rows: rows, right: []bool{false, true}}
	b.WriteString(t.String())
	return b.String()
}

// amountsText is money by currency: "0.45 USD + 0.1 EUR", "-" for none.
func amountsText(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, m[c]+" "+c)
	}
	return strings.Join(parts, " + ")
}

func runAudit(args []string, stdout, stderr io.Writer) int {
	f := newFlags("audit", "audit [--limit N] [--offset N] [--json]",
		"Lists the repricing runs of a running collector, newest first: who, when, why, the range and what\n"+
			"changed (an admin token). Budget changes have their own trail: GET /api/v1/budgets/audit.")
	var a apiFlags
	a.add(f, "GENAI_USAGE_ADMIN_TOKEN")
	limit := f.Int("limit", 20, "runs per page")
	offset := f.Int("offset", 0, "runs to skip")
	asJSON := f.Bool("json", false, "print the runs as JSON")
	if code, ok := f.parseNone(args, stdout, stderr); !ok {
		return code
	}
	var page struct {
		Total int64        `json:"total"`
		Runs  []repriceRun `json:"runs"`
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}, "offset": {strconv.Itoa(*offset)}}
	if err := a.client().do("GET", "/api/v1/usage/reprice?"+q.Encode(), "", &page); err != nil {
		return fail(stderr, "audit", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(page, "", "  ")
		return emit(stdout, stderr, "audit", string(b)+"\n")
	}
	rows := [][]string{{"id", "created", "actor", "range", "kind", "status", "read", "changed", "reason"}}
	for _, r := range page.Runs {
		kind := "run"
		if r.DryRun {
			kind = "dry run"
		}
		rows = append(rows, []string{strconv.FormatInt(r.ID, 10), r.Created.UTC().Format(time.RFC3339), r.Actor,
			r.From.UTC().Format(time.RFC3339) + " to " + r.To.UTC().Format(time.RFC3339), kind, r.Status,
			strconv.FormatInt(r.Scanned, 10), strconv.FormatInt(r.Changed, 10), r.Reason})
	}
	t := &table{rows: rows, right: []bool{true, false, false, false, false, false, true, true}}
	return emit(stdout, stderr, "audit", fmt.Sprintf("%d runs\n", page.Total)+t.String())
}
