package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/cost"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// The page takes every path outside /api/, without a token; unknown API
// paths keep their JSON 404, and the API its token.
func TestPageBesideAPI(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("page")) })
	h := New(openStore(t), Options{BearerTokens: []string{token}, Page: page, UI: UIOptions{TraceURLTemplate: "http://j/trace/{trace_id}"}})
	for _, p := range []string{"/", "/records", "/assets/x/app.js", "/apix"} {
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, p, http.NoBody))
		assert.Equal(t, "page", rr.Body.String(), p)
	}
	for _, p := range []string{"/api", "/api/", "/api/v1/usage/nope", Prefix + "summary"} {
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, p, http.NoBody))
		assert.Equal(t, http.StatusUnauthorized, rr.Code, p)
		assert.Equal(t, "application/json", rr.Header().Get("Content-Type"), p)
	}
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/usage/nope", http.NoBody)
	req.Header.Set("Authorization", "Bearer "+token)
	h.ServeHTTP(rr, req)
	assert.Equal(t, http.StatusNotFound, rr.Code)
	assert.Contains(t, rr.Body.String(), `"errorType":"not_found"`)

	rr = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, Prefix+"ui", http.NoBody)
	req.Header.Set("Authorization", "Bearer "+token)
	h.ServeHTTP(rr, req)
	assert.JSONEq(t, `{"status":"success","data":{"trace_url_template":"http://j/trace/{trace_id}"}}`, rr.Body.String())
}

// records/{id}/pricing explains a record priced with a card the handler
// finds: each line's rate and amount, adding up to the stored cost.
func TestPricing(t *testing.T) {
	cat, err := catalog.Load(catalog.Source{Name: "t.yaml", Data: []byte(`catalog_version: 1
providers:
  - id: p
    models:
      - id: m
        prices:
          - rates: {input_mtok: 3, output_mtok: 15}
            tiers: [{above: 1000, rates: {input_mtok: 6, output_mtok: 30}}]
`)})
	require.NoError(t, err)
	card := cat.Provider("p").Match("m").Cards[0]
	st := openStore(t)
	recs := storetest.Records(3, 2, 1)
	priced, unknown := recs[0], recs[1]
	priced.Card, priced.Currency = card.ID, card.Currency
	priced.Tokens = meter.Counts{}
	priced.Tokens[meter.Input], priced.Tokens[meter.CacheRead], priced.Tokens[meter.Output] = 900, 200, 50
	priced.Cost = cost.Compute(card, &priced.Tokens).Total
	priced.CostByMeter = cost.Compute(card, &priced.Tokens).ByMeter
	priced.CacheSaved = cost.CacheSaved(card, &priced.Tokens)
	priced.ListCost, priced.Contract, priced.Multiplier = priced.Cost, "", ""
	priced.FXRate, priced.SourceCost, priced.SourceCurrency = "", 0, ""
	unknown.Card = "p/other#00000000"
	_, err = st.Write(context.Background(), []usage.Record{priced, unknown}, nil)
	require.NoError(t, err)
	h := New(st, Options{Card: cat.Card, Now: func() time.Time { return storetest.Base }})

	var got struct {
		Data struct {
			CardFound bool   `json:"card_found"`
			TierAbove int64  `json:"tier_above"`
			Computed  string `json:"computed"`
			Cost      string `json:"cost"`
			Matches   bool   `json:"matches"`
			Card      struct {
				Tiers []struct {
					Above int64 `json:"above"`
				} `json:"tiers"`
			} `json:"card"`
			Lines     []lineJSON    `json:"lines"`
			Recharged rechargedJSON `json:"recharged"`
		} `json:"data"`
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, Prefix+"records/"+priced.ID()+"/pricing", http.NoBody))
	require.Equal(t, http.StatusOK, rr.Code, rr.Body.String())
	require.NoError(t, json.Unmarshal(rr.Body.Bytes(), &got))
	d := got.Data
	assert.True(t, d.CardFound)
	assert.Equal(t, int64(1000), d.TierAbove, "1,100 prompt tokens: above the tier")
	assert.True(t, d.Matches)
	assert.Equal(t, priced.Cost.String(), d.Computed)
	assert.True(t, d.Recharged.Same, "no contract, no currency: charging again changes nothing: %+v", d.Recharged)
	var raw any
	dec := json.NewDecoder(bytes.NewReader(rr.Body.Bytes()))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&raw))
	doc := loadOpenAPI(t)
	doc.validate(t, "pricing", raw.(map[string]any)["data"], doc.Components.Schemas["Pricing"])
	assert.Equal(t, []lineJSON{
		{Meter: "input", Tokens: 900, RatedAs: "input", RateKey: "input_mtok", Rate: &rateJSON{Price: "6", Per: 1_000_000}, Amount: "0.0054"},
		{Meter: "cache_read", Tokens: 200, RatedAs: "input", RateKey: "input_mtok", Rate: &rateJSON{Price: "6", Per: 1_000_000}, Amount: "0.0012"},
		{Meter: "output", Tokens: 50, RatedAs: "output", RateKey: "output_mtok", Rate: &rateJSON{Price: "30", Per: 1_000_000}, Amount: "0.0015"},
	}, d.Lines)

	rr = httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, Prefix+"records/"+unknown.ID()+"/pricing", http.NoBody))
	require.Equal(t, http.StatusOK, rr.Code, rr.Body.String())
	assert.JSONEq(t, `false`, string(mustField(t, rr.Body.Bytes(), "card_found")))

	rr = httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, Prefix+"records/"+anyID+"/pricing", http.NoBody))
	assert.Equal(t, http.StatusNotFound, rr.Code)
}

func mustField(t *testing.T, b []byte, name string) json.RawMessage {
	t.Helper()
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &env))
	return env.Data[name]
}
