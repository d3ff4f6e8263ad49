package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// Every answer is written here: respond writes a route's data or error,
// respondError an error, writeStream a file; toAPIError is the one place
// that tells what an error is, and errorClasses the one table of codes.

type envelope struct {
	Status    string `json:"status"`
	Data      any    `json:"data,omitempty"`
	ErrorType string `json:"errorType,omitempty"`
	Error     string `json:"error,omitempty"`
}

// errorClass is what went wrong, which sets the status code and errorType.
type errorClass int

const (
	errBadData errorClass = iota
	errTooLarge
	errUnauthorized
	errForbidden
	errNotFound
	errConflict
	errNotAllowed
	errUnavailable
	errInternal
	errCanceled
)

// statusClientClosedRequest is nginx's code for a client that went away
// before its answer: logged, never seen by the client.
const statusClientClosedRequest = 499

var errorClasses = [...]struct {
	code int
	typ  string
}{
	errBadData:      {http.StatusBadRequest, "bad_data"},
	errTooLarge:     {http.StatusRequestEntityTooLarge, "bad_data"},
	errUnauthorized: {http.StatusUnauthorized, "unauthorized"},
	errForbidden:    {http.StatusForbidden, "forbidden"},
	errNotFound:     {http.StatusNotFound, "not_found"},
	errConflict:     {http.StatusConflict, "conflict"},
	errNotAllowed:   {http.StatusMethodNotAllowed, "bad_data"},
	errUnavailable:  {http.StatusServiceUnavailable, "unavailable"},
	errInternal:     {http.StatusInternalServerError, "internal"},
	errCanceled:     {statusClientClosedRequest, "canceled"},
}

// apiError is an error answer: its class and the message the client
// reads. The cause of a store's failure is logged, never sent.
type apiError struct {
	class errorClass
	msg   string
	cause error
	// allow is the Allow header of a 405.
	allow string
}

func (e *apiError) Error() string { return e.msg }

// badf is a client's mistake; the message names the parameter.
func badf(format string, args ...any) error {
	return &apiError{class: errBadData, msg: fmt.Sprintf(format, args...)}
}

// toAPIError classifies err: the client's mistakes, a record not found, a
// client gone, a store that cannot answer now (503: try again), and
// anything else, the store or this code failing (500).
func toAPIError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, usage.ErrBadID):
		return &apiError{class: errBadData, msg: "id: " + err.Error()}
	case errors.As(err, new(*budgets.InvalidError)):
		return &apiError{class: errBadData, msg: err.Error()}
	case errors.Is(err, budgets.ErrConfigured):
		return &apiError{class: errConflict, msg: err.Error()}
	case errors.Is(err, store.ErrBudgetExists):
		return &apiError{class: errConflict, msg: "id: a budget with this id is stored already; change it with PUT"}
	case errors.Is(err, store.ErrBudgetVersion):
		return &apiError{class: errConflict, msg: "If-Match: the budget has changed since this version; read it again"}
	case errors.Is(err, store.ErrBudgetNotFound):
		return &apiError{class: errNotFound, msg: "id: no budget with this id is stored"}
	case errors.Is(err, budgets.ErrUnknownBudget):
		return &apiError{class: errNotFound, msg: "id: no budget with this id"}
	case errors.Is(err, store.ErrRepriceNotFound):
		return &apiError{class: errNotFound, msg: "id: no repricing run with this id"}
	case errors.Is(err, store.ErrRepriceDone):
		return &apiError{class: errConflict, msg: "id: the repricing run is done; start a new one"}
	case errors.Is(err, store.ErrNotFound):
		return &apiError{class: errNotFound, msg: "no record with this id"}
	case errors.Is(err, store.ErrUnknownKey), errors.Is(err, store.ErrUnknownDimension):
		return &apiError{class: errBadData, msg: err.Error()}
	case errors.Is(err, context.Canceled):
		return &apiError{class: errCanceled, msg: "the request was cancelled", cause: err}
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return &apiError{class: errUnavailable, msg: "the usage store could not answer; try again", cause: err}
	}
	return &apiError{class: errInternal, msg: "the usage store failed to answer; the error is logged", cause: err}
}

// accepted is the data of a route that started work it has not done:
// answered 202.
type accepted struct{ data any }

// respond writes a route's answer: the error, the stream, or the data in
// the envelope.
func (h *handler) respond(w http.ResponseWriter, r *http.Request, data any, err error) {
	a, isAccepted := data.(accepted)
	switch s, ok := data.(*stream); {
	case err != nil:
		h.respondError(w, r, err)
	case ok:
		h.writeStream(w, r, s)
	case isAccepted:
		writeEnvelope(w, http.StatusAccepted, envelope{Status: "success", Data: a.data})
	default:
		writeEnvelope(w, http.StatusOK, envelope{Status: "success", Data: data})
	}
}

// respondError logs err as its class wants and answers it. A cancelled
// request is answered 499, never an implicit 200: the client is gone, but
// the status is what the server's own logs and middleware see.
func (h *handler) respondError(w http.ResponseWriter, r *http.Request, err error) {
	e := toAPIError(err)
	h.logError(r, e)
	switch {
	case e.class == errUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="genai_usage"`)
	case e.allow != "":
		w.Header().Set("Allow", e.allow)
	}
	c := errorClasses[e.class]
	writeEnvelope(w, c.code, envelope{Status: "error", ErrorType: c.typ, Error: e.msg})
}

func (h *handler) logError(r *http.Request, e *apiError) {
	switch e.class {
	case errUnavailable:
		h.opt.Logger.Warn("Usage API: the store could not answer", zap.String("path", r.URL.Path), zap.Error(e.cause))
	case errInternal:
		h.opt.Logger.Error("Usage API: internal error", zap.String("path", r.URL.Path), zap.Error(e.cause))
	case errCanceled:
		h.opt.Logger.Debug("Usage API: the client went away before the answer", zap.String("path", r.URL.Path), zap.Int("status", statusClientClosedRequest))
	}
}

func writeEnvelope(w http.ResponseWriter, code int, env envelope) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(env)
}

// stream is the data of a route that answers with a file written as the
// store reads it (export), not with an envelope: it is never held whole.
type stream struct {
	contentType, filename string
	// write writes the body to bw, calling begin before its first byte:
	// once the store has answered.
	write func(bw *bufio.Writer, begin func()) error
}

// writeStream writes a stream. An error before its first byte is answered
// as any other. After it, the status (200) is gone with the first flush:
// the body ends where it broke (a JSON export without its closing
// bracket, a CSV one short of rows) and the error is only logged.
func (h *handler) writeStream(w http.ResponseWriter, r *http.Request, s *stream) {
	bw := bufio.NewWriterSize(w, 64<<10)
	started := false
	err := s.write(bw, func() {
		if !started {
			started = true
			w.Header().Set("Content-Type", s.contentType)
			w.Header().Set("Content-Disposition", `attachment; filename="`+s.filename+`"`)
		}
	})
	if err != nil && !started {
		h.respondError(w, r, err)
		return
	}
	if err != nil {
		h.logError(r, toAPIError(err))
	}
	_ = bw.Flush()
}
