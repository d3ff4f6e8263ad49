package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
)

// Repricer runs repricings (docs/pricing.md, "Repricing"): each run
// reprices a range of stored records in bounded transactions, in the
// background, resumable, its row in the store its audit entry.
type Repricer interface {
	// Start stores a run and starts it; the run is returned as stored.
	Start(ctx context.Context, run store.RepriceRun) (store.RepriceRun, error)
	// Resume starts again a run that failed or stopped.
	Resume(ctx context.Context, id int64) (store.RepriceRun, error)
	// Runs lists the runs newest first; Run reads one.
	Runs(ctx context.Context, p store.Page) ([]store.RepriceRun, int64, error)
	Run(ctx context.Context, id int64) (store.RepriceRun, error)
}

// repriceRequest is the body of POST reprice.
type repriceRequest struct {
	From   string `json:"from"`
	To     string `json:"to"`
	DryRun bool   `json:"dry_run"`
	Reason string `json:"reason"`
}

type repriceRunJSON struct {
	ID      int64              `json:"id"`
	Created time.Time          `json:"created"`
	Updated time.Time          `json:"updated"`
	Actor   string             `json:"actor"`
	Reason  string             `json:"reason"`
	From    time.Time          `json:"from"`
	To      time.Time          `json:"to"`
	DryRun  bool               `json:"dry_run"`
	Status  string             `json:"status"`
	Cursor  string             `json:"cursor,omitempty"`
	Scanned int64              `json:"scanned"`
	Changed int64              `json:"changed"`
	Models  []repriceModelJSON `json:"models"`
	Error   string             `json:"error,omitempty"`
}

type repriceModelJSON struct {
	Provider   string            `json:"provider"`
	Model      string            `json:"model"`
	Calls      int64             `json:"calls"`
	Before     map[string]string `json:"before"`
	After      map[string]string `json:"after"`
	BeforeList map[string]string `json:"before_list"`
	AfterList  map[string]string `json:"after_list"`
}

func runJSON(run *store.RepriceRun) repriceRunJSON {
	out := repriceRunJSON{ID: run.ID, Created: run.Created.UTC(), Updated: run.Updated.UTC(), Actor: run.Actor, Reason: run.Reason,
		From: run.From.UTC(), To: run.To.UTC(), DryRun: run.DryRun, Status: run.Status, Cursor: run.Cursor,
		Scanned: run.Scanned, Changed: run.Changed, Models: []repriceModelJSON{}, Error: run.Error}
	strs := func(m map[string]money.Nanos) map[string]string {
		out := amounts(m)
		if v, ok := out[""]; ok { // calls without a cost: counted, no money
			delete(out, "")
			if v != "0" {
				out["none"] = v
			}
		}
		return out
	}
	for _, m := range run.Models {
		out.Models = append(out.Models, repriceModelJSON{Provider: m.Provider, Model: m.Model, Calls: m.Calls,
			Before: strs(m.Before), After: strs(m.After), BeforeList: strs(m.BeforeList), AfterList: strs(m.AfterList)})
	}
	return out
}

// repricer is the configured Repricer, or a 404 when there is none (no
// store).
func (h *handler) repricer() (Repricer, error) {
	if h.opt.Repricer == nil {
		return nil, &apiError{class: errNotFound, msg: "repricing needs a usage store"}
	}
	return h.opt.Repricer, nil
}

// repriceStart starts a repricing run, or a dry run; 202 with the run.
func (h *handler) repriceStart(w http.ResponseWriter, r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	actor, err := h.admin(r)
	if err != nil {
		return nil, err
	}
	rp, err := h.repricer()
	if err != nil {
		return nil, err
	}
	var req repriceRequest
	if err := h.decodeBody(r, &req, `a repricing ({"from": ..., "to": ..., "dry_run": true, "reason": ...})`, "repricing"); err != nil {
		return nil, err
	}
	now := h.opt.Now()
	from, err := time.Parse(time.RFC3339Nano, req.From)
	if err != nil {
		return nil, badf("from: %q is not an RFC 3339 time", req.From)
	}
	to, err := time.Parse(time.RFC3339Nano, req.To)
	if err != nil {
		return nil, badf("to: %q is not an RFC 3339 time", req.To)
	}
	if !to.After(from) {
		return nil, badf("to: %s is not after from", req.To)
	}
	if len(req.Reason) > 500 {
		return nil, badf("reason: at most 500 bytes")
	}
	run, err := rp.Start(r.Context(), store.RepriceRun{Created: now, Actor: actor, Reason: req.Reason, From: from.UTC(), To: to.UTC(), DryRun: req.DryRun})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", Prefix+"reprice/"+strconv.FormatInt(run.ID, 10))
	return accepted{runJSON(&run)}, nil
}

func (h *handler) repriceResume(_ http.ResponseWriter, r *http.Request, p *params) (any, error) {
	id, rp, err := h.repriceAdmin(r, p)
	if err != nil {
		return nil, err
	}
	run, err := rp.Resume(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return runJSON(&run), nil
}

func (h *handler) repriceOne(_ http.ResponseWriter, r *http.Request, p *params) (any, error) {
	id, rp, err := h.repriceAdmin(r, p)
	if err != nil {
		return nil, err
	}
	run, err := rp.Run(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return runJSON(&run), nil
}

func (h *handler) repriceList(_ http.ResponseWriter, r *http.Request, p *params) (any, error) {
	limit := p.integer("limit", min(50, h.opt.MaxPageSize), 1, h.opt.MaxPageSize)
	offset := p.integer("offset", 0, 0, 10_000_000)
	if err := p.done(); err != nil {
		return nil, err
	}
	if _, err := h.admin(r); err != nil {
		return nil, err
	}
	rp, err := h.repricer()
	if err != nil {
		return nil, err
	}
	runs, total, err := rp.Runs(r.Context(), store.Page{Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	out := make([]repriceRunJSON, len(runs))
	for i := range runs {
		out[i] = runJSON(&runs[i])
	}
	return struct {
		Total  int64            `json:"total"`
		Limit  int              `json:"limit"`
		Offset int              `json:"offset"`
		Runs   []repriceRunJSON `json:"runs"`
	}{total, limit, offset, out}, nil
}

func (h *handler) repriceAdmin(r *http.Request, p *params) (int64, Repricer, error) {
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if _, err := h.admin(r); err != nil {
		return 0, nil, err
	}
	rp, err := h.repricer()
	if err != nil {
		return 0, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, nil, &apiError{class: errNotFound, msg: "id: no repricing run with this id"}
	}
	return id, rp, nil
}
