package api

import (
	"math/big"
	"net/http"
)

type reconciliationGroupJSON struct {
	Provider      string `json:"provider"`
	Model         string `json:"model"`
	Currency      string `json:"currency"`
	Calls         int64  `json:"calls"`
	Match         int64  `json:"match"`
	Mismatch      int64  `json:"mismatch"`
	Unit          int64  `json:"unit"`
	OtherCurrency int64  `json:"other_currency"`
	Reported      string `json:"reported"`
	Computed      string `json:"computed"`
	Difference    string `json:"difference"`
	// DifferenceRatio is difference / computed, for display; absent when
	// nothing was computed.
	DifferenceRatio *float64 `json:"difference_ratio,omitempty"`
}

// reconciliation answers what providers, gateways and libraries reported
// against what was computed, per provider, model and currency.
func (h *handler) reconciliation(r *http.Request, p *params) (any, error) {
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	gs, err := h.s.Reconciliation(r.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]reconciliationGroupJSON, len(gs))
	for i, g := range gs {
		d := g.Reported - g.Computed
		out[i] = reconciliationGroupJSON{Provider: g.Provider, Model: g.Model, Currency: g.Currency, Calls: g.Calls,
			Match: g.Match, Mismatch: g.Mismatch, Unit: g.Unit, OtherCurrency: g.OtherCurrency,
			Reported: g.Reported.String(), Computed: g.Computed.String(), Difference: d.String()}
		if g.Computed != 0 {
			ratio, _ := new(big.Rat).SetFrac64(int64(d), int64(g.Computed)).Float64()
			out[i].DifferenceRatio = &ratio
		}
	}
	return struct {
		rangeJSON
		Groups []reconciliationGroupJSON `json:"groups"`
	}{rangeJSON{f.From, f.To}, out}, nil
}
