package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, h http.Handler, method, path string) *http.Response {
	t.Helper()
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(method, path, http.NoBody))
	return rr.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// Every answer carries the security headers; the page paths answer
// index.html, never cached, whose assets are under the version.
func TestPagesAndHeaders(t *testing.T) {
	h := New()
	require.Regexp(t, `^[0-9a-f]{12}$`, h.Version())
	for _, p := range append(Pages, "/records/1-00000000000000000000000000000001-0000000000000001", "/assets/x/app.css", "/nope") {
		res := get(t, h, http.MethodGet, p)
		assert.Equal(t, CSP, res.Header.Get("Content-Security-Policy"), p)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), p)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), p)
	}
	for _, p := range append(Pages, "/records/1-00000000000000000000000000000001-0000000000000001") {
		res := get(t, h, http.MethodGet, p)
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
		html := body(t, res)
		assert.Contains(t, html, `src="/assets/`+h.Version()+`/js/app.js"`)
		assert.NotContains(t, html, "{{version}}")
	}
	for _, p := range []string{"/records/a/b", "/favicon.ico", "/index.html", "/assets/" + h.Version() + "/index.html", "/assets/" + h.Version() + "/nope.js"} {
		assert.Equal(t, http.StatusNotFound, get(t, h, http.MethodGet, p).StatusCode, p)
	}
	res := get(t, h, http.MethodPost, "/")
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
}

// Assets: the right types; cached for a year under the current version,
// revalidated under another.
func TestAssets(t *testing.T) {
	h := New()
	for name, ct := range map[string]string{"app.css": "text/css; charset=utf-8", "js/app.js": "text/javascript; charset=utf-8", "icon.svg": "image/svg+xml"} {
		res := get(t, h, http.MethodGet, "/assets/"+h.Version()+"/"+name)
		require.Equal(t, http.StatusOK, res.StatusCode, name)
		assert.Equal(t, ct, res.Header.Get("Content-Type"), name)
		assert.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"), name)
		res = get(t, h, http.MethodGet, "/assets/old/"+name)
		assert.Equal(t, http.StatusOK, res.StatusCode, name)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), name)
	}
}

// The CSP allows no inline script or style: the files must have none.
func TestNoInlineScriptOrStyle(t *testing.T) {
	h := New()
	html := body(t, get(t, h, http.MethodGet, "/"))
	assert.NotRegexp(t, `<script(?:\s[^>]*)?>\s*[^<\s]`, html, "inline script")
	assert.NotContains(t, html, "<style")
	assert.NotRegexp(t, `\sstyle=`, html)
	assert.NotRegexp(t, `\son[a-z]+=`, html, "inline handlers")
	for name, b := range h.files {
		if strings.HasSuffix(name, ".js") {
			s := string(b)
			assert.NotContains(t, s, "innerHTML", name)
			assert.NotContains(t, s, "eval(", name)
			// The SVG namespace is a name, never fetched.
			assert.NotRegexp(t, regexp.MustCompile(`https?://`), strings.ReplaceAll(s, "http://www.w3.org/2000/svg", ""), name+": nothing fetched from outside")
		}
	}
}
