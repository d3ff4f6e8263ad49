package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
)

// get sends a request to srv and returns the answer, its body read.
func get(t *testing.T, srv *httptest.Server, method, path string) (*http.Response, envelope) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, http.NoBody)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env envelope
	if method != http.MethodHead && len(b) > 0 {
		require.NoError(t, json.Unmarshal(b, &env), string(b))
	}
	return resp, env
}

// The route table drives the 405s: every path of the table answers
// another method with a 405 whose Allow header is the table's methods for
// it, and a route added to the table is served and guarded the same way.
func TestRouteTableDrives405(t *testing.T) {
	table := slices.Concat(routes, []route{
		{method: http.MethodPost, path: "zz-test", params: []string{"n"}, serve: func(_ *handler, _ *http.Request, p *params) (any, error) {
			n := p.str("n")
			return n, p.done()
		}},
	})
	srv := httptest.NewServer(newHandler(openStore(t), Options{Now: func() time.Time { return now }}, table))
	defer srv.Close()

	allow := map[string][]string{}
	for _, rt := range table {
		allow[rt.pattern()] = append(allow[rt.pattern()], rt.method)
		if rt.method == http.MethodGet {
			allow[rt.pattern()] = append(allow[rt.pattern()], http.MethodHead)
		}
	}
	for path, methods := range allow {
		path = strings.ReplaceAll(path, "{id}", anyID)
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if slices.Contains(methods, m) {
				continue
			}
			resp, env := get(t, srv, m, path)
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "%s %s", m, path)
			assert.Equal(t, strings.Join(methods, ", "), resp.Header.Get("Allow"), "%s %s", m, path)
			assert.Equal(t, "bad_data", env.ErrorType, "%s %s", m, path)
		}
	}

	resp, env := get(t, srv, http.MethodPost, Prefix+"zz-test?n=7")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "7", env.Data)
	// The table's parameters are the route's: another is refused.
	resp, env = get(t, srv, http.MethodPost, Prefix+"zz-test?m=7")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "unknown parameter m; this route takes n", env.Error)
	// The table without it: a 404.
	srv2 := httptest.NewServer(New(openStore(t), Options{}))
	defer srv2.Close()
	resp, _ = get(t, srv2, http.MethodGet, Prefix+"zz-test")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// A route at odds with its entry in the table is an internal error.
func TestRouteTableParamsMismatch(t *testing.T) {
	table := []route{
		{method: http.MethodGet, path: "reads-more", serve: func(_ *handler, _ *http.Request, p *params) (any, error) {
			p.str("n")
			return nil, p.done()
		}},
		{method: http.MethodGet, path: "lists-more", params: []string{"n", "m"}, serve: func(_ *handler, _ *http.Request, p *params) (any, error) {
			p.str("n")
			return nil, p.done()
		}},
	}
	srv := httptest.NewServer(newHandler(openStore(t), Options{}, table))
	defer srv.Close()
	for _, path := range []string{"reads-more", "lists-more"} {
		resp, env := get(t, srv, http.MethodGet, Prefix+path)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, path)
		assert.Equal(t, "internal", env.ErrorType, path)
	}
}

// A store that fails otherwise than by being unavailable (here a table
// gone from under it) answers 500, logs the cause as an error, and says
// nothing of it to the client; a closed one stays a 503 (TestStoreDown).
func TestStoreFailureIs500(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	st, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer func() { assert.NoError(t, st.Close()) }()
	_, err = st.Write(context.Background(), storetest.Records(5, 100, 24), nil)
	require.NoError(t, err)
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec("DROP TABLE usage_rollups")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	core, logs := observer.New(zapcore.DebugLevel)
	srv := httptest.NewServer(New(st, Options{Logger: zap.New(core), Now: func() time.Time { return now }}))
	defer srv.Close()
	resp, env := get(t, srv, http.MethodGet, Prefix+"summary?"+all)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "internal", env.ErrorType)
	assert.NotContains(t, env.Error, "usage_rollups")
	errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].ContextMap()["error"], "no such table")

	// The unavailable ones are 503s, logged as warnings.
	srv2 := httptest.NewServer(New(failingStore{err: store.Unavailable(io.ErrUnexpectedEOF)}, Options{Logger: zap.New(core)}))
	defer srv2.Close()
	resp, env = get(t, srv2, http.MethodGet, Prefix+"summary")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "unavailable", env.ErrorType)
	assert.Len(t, logs.FilterLevelExact(zapcore.WarnLevel).All(), 1)
}

// failingStore answers every query with err.
type failingStore struct {
	Store
	err error
}

func (s failingStore) Summary(context.Context, store.Filter) (store.Aggregate, error) {
	return store.Aggregate{}, s.err
}

// waitingStore holds Summary until the request's context is done, then
// asks the real store, which answers the context's error.
type waitingStore struct {
	Store
	entered chan struct{}
}

func (s waitingStore) Summary(ctx context.Context, f store.Filter) (store.Aggregate, error) {
	close(s.entered)
	<-ctx.Done()
	return s.Store.Summary(ctx, f)
}

// statusWriter records the status a handler writes; 0 is none, which
// net/http would send as an implicit 200.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// A request whose client goes away is answered 499, not an implicit 200.
func TestCancelledRequestIsNot200(t *testing.T) {
	st := waitingStore{Store: openStore(t), entered: make(chan struct{})}
	api := New(st, Options{Now: func() time.Time { return now }})
	written := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		api.ServeHTTP(sw, r)
		written <- sw.code
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+Prefix+"summary?"+all, http.NoBody)
	require.NoError(t, err)
	go func() {
		<-st.entered
		cancel()
	}()
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.Canceled)
	select {
	case code := <-written:
		assert.Equal(t, statusClientClosedRequest, code)
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not return")
	}
}
