package genaiusageexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/contract"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// adminCall sends an admin request and decodes the envelope's data.
func adminCall(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer admin-token")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		var env struct{ Data json.RawMessage }
		require.NoError(t, json.Unmarshal(raw, &env), string(raw))
		require.NoError(t, json.Unmarshal(env.Data, out), string(raw))
	}
	return resp.StatusCode
}

type runAnswer struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Scanned int64  `json:"scanned"`
	Changed int64  `json:"changed"`
	DryRun  bool   `json:"dry_run"`
	Actor   string `json:"actor"`
	Models  []struct {
		Model         string
		Calls         int64
		Before, After map[string]string
	} `json:"models"`
}

// runReprice starts a run through the API and waits for its end.
func runReprice(t *testing.T, api, body string) runAnswer {
	t.Helper()
	var run runAnswer
	require.Equal(t, http.StatusAccepted, adminCall(t, http.MethodPost, api+"reprice", body, &run))
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, adminCall(t, http.MethodGet, api+"reprice/"+jsonID(run.ID), "", &run))
		return run.Status == store.RepriceDone
	}, 30*time.Second, 20*time.Millisecond)
	return run
}

func jsonID(id int64) string { return strconv.FormatInt(id, 10) }

// A catalog change and a new contract, then a repricing through the
// admin API, on both stores: a dry run says what would change and
// changes nothing; the run changes exactly the calls of the range,
// keeps the sums equal to the records, and a second run changes nothing.
func TestExporterReprices(t *testing.T) {
	onEachStore(t, func(t *testing.T, cfg *Config) {
		cfg.API.AdminBearerTokens = []AdminTokenConfig{{Name: "ops", Token: "admin-token"}}
		run1 := startExporter(t, cfg)
		days := []time.Time{
			time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		}
		for i, at := range days {
			require.NoError(t, run1.exp.ConsumeTraces(context.Background(), priceTraces(t, chargingCall(at, byte(i+1), "alice"))[0]))
		}
		require.NoError(t, run1.exp.Shutdown(context.Background()))

		// The price changes: gpt-4o-mini's output is 0.3 from the
		// 15th, and the organisation has a 10 % discount.
		prices := filepath.Join(t.TempDir(), "prices.yaml")
		require.NoError(t, os.WriteFile(prices, []byte(`catalog_version: 1
providers:
  - id: openai
    models:
      - id: gpt-4o-mini
        match: [{exact: gpt-4o-mini}]
        prices:
          - rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.6}
          - from: 2026-11-15
            rates: {input_mtok: 0.15, cache_read_mtok: 0.075, output_mtok: 0.3}
`), 0o600))
		cfg.Pricing.Files = []string{prices}
		cfg.Contracts = []contract.Config{{Name: "discount", From: "2026-11-22", Multiplier: "0.9"}}
		require.NoError(t, cfg.Validate())
		run2 := startExporter(t, cfg)
		api := "http://" + run2.impl.addrs["api"] + "/api/v1/usage/"
		before := exportRecords(t, run2.impl.store)
		require.Len(t, before, 3)
		for _, r := range before {
			require.Equal(t, money.Nanos(225_000_000), r.Cost, "0.15 + 0.015 + 0.06 at ingest")
		}

		rangeBody := `{"from": "2026-11-15T00:00:00Z", "to": "2026-12-01T00:00:00Z", "reason": "new prices", "dry_run": true}`
		dry := runReprice(t, api, rangeBody)
		assert.True(t, dry.DryRun)
		assert.Equal(t, "ops", dry.Actor)
		assert.Equal(t, [2]int64{2, 2}, [2]int64{dry.Scanned, dry.Changed})
		require.Len(t, dry.Models, 1)
		// 20th: 0.15 + 0.015 + 0.03 = 0.195; 25th: x 0.9 per meter = 0.135 + 0.0135 + 0.027 = 0.1755.
		assert.Equal(t, map[string]string{"USD": "0.45"}, dry.Models[0].Before)
		assert.Equal(t, map[string]string{"USD": "0.3705"}, dry.Models[0].After)
		assert.Equal(t, before, exportRecords(t, run2.impl.store), "a dry run changes nothing")

		done := runReprice(t, api, `{"from": "2026-11-15T00:00:00Z", "to": "2026-12-01T00:00:00Z", "reason": "new prices"}`)
		assert.Equal(t, int64(2), done.Changed)
		after := exportRecords(t, run2.impl.store)
		assert.Equal(t, before[0], after[0], "the call before the range is untouched")
		assert.Equal(t, money.Nanos(195_000_000), after[1].Cost)
		assert.Equal(t, money.Nanos(175_500_000), after[2].Cost)
		assert.Equal(t, money.Nanos(195_000_000), after[2].ListCost)
		assert.Equal(t, "discount@2026-11-22", after[2].Contract)
		sum, err := run2.impl.store.Summary(context.Background(), store.Filter{})
		require.NoError(t, err)
		assert.Equal(t, map[string]money.Nanos{"USD": 225_000_000 + 195_000_000 + 175_500_000}, sum.Cost, "the rollups follow")
		assert.Equal(t, map[string]money.Nanos{"USD": 225_000_000 + 195_000_000 + 195_000_000}, sum.ListCost)

		again := runReprice(t, api, `{"from": "2026-11-15T00:00:00Z", "to": "2026-12-01T00:00:00Z"}`)
		assert.Equal(t, [2]int64{2, 0}, [2]int64{again.Scanned, again.Changed}, "run twice: nothing more changes")
		// The 10th's call: the same amounts, from the new file's card,
		// which the record now names.
		wide := runReprice(t, api, `{"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}`)
		assert.Equal(t, [2]int64{3, 1}, [2]int64{wide.Scanned, wide.Changed})
		first := exportRecords(t, run2.impl.store)[0]
		assert.Equal(t, before[0].Cost, first.Cost)
		assert.NotEqual(t, before[0].Card, first.Card)

		var list struct {
			Total int64       `json:"total"`
			Runs  []runAnswer `json:"runs"`
		}
		require.Equal(t, http.StatusOK, adminCall(t, http.MethodGet, api+"reprice", "", &list))
		assert.Equal(t, int64(4), list.Total, "every run is kept: the audit trail")
		assert.Equal(t, http.StatusConflict, adminCall(t, http.MethodPost, api+"reprice/"+jsonID(done.ID)+"/resume", "", nil))
		assert.Equal(t, http.StatusBadRequest, adminCall(t, http.MethodPost, api+"reprice", `{"from": "2026-12-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}`, nil))
		resp, err := http.Post(api+"reprice", "application/json", bytes.NewBufferString(rangeBody))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an admin route")
	})
}

func exportRecords(t *testing.T, s store.Querier) []usage.Record {
	t.Helper()
	var out []usage.Record
	require.NoError(t, s.Export(context.Background(), store.Filter{}, func(r *usage.Record) error {
		out = append(out, *r)
		return nil
	}))
	return out
}
