package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/bearer"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// AdminToken is a bearer token that may change budgets. Name is the
// actor the audit trail records for its changes; without one, Actor is a
// fingerprint of the token, never the token.
type AdminToken struct {
	Name, Token string
}

// Actor is the name the audit trail gives the token's changes.
func (t AdminToken) Actor() string {
	if t.Name != "" {
		return t.Name
	}
	return Fingerprint(t.Token)
}

// Fingerprint names a token without revealing it: the first 12 hex digits
// of its SHA-256.
func Fingerprint(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "token:sha256:" + hex.EncodeToString(sum[:6])
}

// admin authorizes a request of an admin route and returns its actor: a
// 403 when no admin token is configured or the request has a read token,
// a 401 when it has none of the configured tokens.
func (h *handler) admin(r *http.Request) (string, error) {
	if len(h.admins) == 0 {
		return "", &apiError{class: errForbidden, msg: "admin routes (budget changes, repricing) are disabled: no admin token is configured (api.admin_bearer_tokens in the genai_usage exporter)"}
	}
	got, ok := bearer.Token(r)
	if ok {
		if i := bearer.Match(got, h.admins); i >= 0 {
			return h.opt.AdminTokens[i].Actor(), nil
		}
		if bearer.Match(got, h.toks) >= 0 {
			return "", &apiError{class: errForbidden, msg: "this bearer token may read, not change budgets: use one of api.admin_bearer_tokens"}
		}
	}
	return "", &apiError{class: errUnauthorized, msg: "missing or wrong admin bearer token (Authorization: Bearer <token> of api.admin_bearer_tokens)"}
}

// managed is the store-backed budgets the write routes change.
func (h *handler) managed() (*budgets.Managed, error) {
	if h.opt.Budgets == nil || h.opt.Budgets.Managed() == nil {
		return nil, &apiError{class: errForbidden, msg: "budget changes need a usage store (store.driver sqlite or postgres)"}
	}
	return h.opt.Budgets.Managed(), nil
}

// storedBudgetJSON is a budget kept in the store.
type storedBudgetJSON struct {
	Budget  budget.Spec `json:"budget"`
	Version int64       `json:"version"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
}

func storedBudget(b *store.StoredBudget) (storedBudgetJSON, error) {
	out := storedBudgetJSON{Version: b.Version, Created: b.Created.UTC(), Updated: b.Updated.UTC()}
	return out, json.Unmarshal(b.Spec, &out.Budget)
}

// adminStart is what every write route does first: the parameters
// checked, the actor authorized, the store-backed budgets found.
func (h *handler) adminStart(r *http.Request, p *params) (string, *budgets.Managed, error) {
	if err := p.done(); err != nil {
		return "", nil, err
	}
	actor, err := h.admin(r)
	if err != nil {
		return "", nil, err
	}
	m, err := h.managed()
	return actor, m, err
}

// specBody decodes the request's budget spec.
func (h *handler) specBody(r *http.Request) (budget.Spec, error) {
	var s budget.Spec
	err := h.decodeBody(r, &s, "a budget (JSON of the fields of docs/budgets.md)", "budget")
	return s, err
}

// ifMatch is the version an If-Match header asks a change to be made
// against: its ETag, the budget's version, quoted. 0 without one: the
// last write wins.
func ifMatch(r *http.Request) (int64, error) {
	v := r.Header.Get("If-Match")
	if v == "" || v == "*" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 1 {
		return 0, badf("If-Match: %q is not a budget version (the ETag of its last answer, such as \"3\")", v)
	}
	return n, nil
}

func etag(w http.ResponseWriter, b *store.StoredBudget) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(b.Version, 10)+`"`)
}

// budgetCreate stores a new budget.
func (h *handler) budgetCreate(w http.ResponseWriter, r *http.Request, p *params) (any, error) {
	actor, m, err := h.adminStart(r, p)
	if err != nil {
		return nil, err
	}
	s, err := h.specBody(r)
	if err != nil {
		return nil, err
	}
	b, err := m.Create(r.Context(), s, actor, h.opt.Now())
	if err != nil {
		return nil, err
	}
	etag(w, &b)
	return storedBudget(&b)
}

// budgetUpdate replaces a stored budget's spec.
func (h *handler) budgetUpdate(w http.ResponseWriter, r *http.Request, p *params) (any, error) {
	actor, m, err := h.adminStart(r, p)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r)
	if err != nil {
		return nil, err
	}
	s, err := h.specBody(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	switch s.ID {
	case "":
		s.ID = id
	case id:
	default:
		return nil, badf("id: %q is not the id of the path (%q); a budget's id cannot change", s.ID, id)
	}
	b, err := m.Update(r.Context(), s, version, actor, h.opt.Now())
	if err != nil {
		return nil, err
	}
	etag(w, &b)
	return storedBudget(&b)
}

// budgetDelete deletes a stored budget.
func (h *handler) budgetDelete(_ http.ResponseWriter, r *http.Request, p *params) (any, error) {
	actor, m, err := h.adminStart(r, p)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	if err := m.Delete(r.Context(), id, version, actor, h.opt.Now()); err != nil {
		return nil, err
	}
	return struct {
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}{id, true}, nil
}

// auditEntryJSON is one change of a stored budget.
type auditEntryJSON struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	BudgetID string          `json:"budget_id"`
	Version  int64           `json:"version"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

func rawOrNull(j json.RawMessage) json.RawMessage {
	if j == nil {
		return json.RawMessage("null")
	}
	return j
}

// budgetAudit lists the changes of stored budgets, newest first.
func (h *handler) budgetAudit(_ http.ResponseWriter, r *http.Request, p *params) (any, error) {
	limit := p.integer("limit", min(50, h.opt.MaxPageSize), 1, h.opt.MaxPageSize)
	offset := p.integer("offset", 0, 0, 10_000_000)
	_, m, err := h.adminStart(r, p)
	if err != nil {
		return nil, err
	}
	es, total, err := m.Audit(r.Context(), store.Page{Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	out := make([]auditEntryJSON, len(es))
	for i, e := range es {
		out[i] = auditEntryJSON{Seq: e.Seq, Time: e.Time.UTC(), Actor: e.Actor, Action: e.Action, BudgetID: e.BudgetID,
			Version: e.Version, Before: rawOrNull(e.Before), After: rawOrNull(e.After)}
	}
	return struct {
		Total   int64            `json:"total"`
		Limit   int              `json:"limit"`
		Offset  int              `json:"offset"`
		Entries []auditEntryJSON `json:"entries"`
	}{total, limit, offset, out}, nil
}
