// Package ui is the built-in usage page: static files embedded in the
// binary (plain ES modules, one stylesheet, no build step), served at the
// root of the usage API's endpoint. The page reads everything from the API
// with the browser's bearer token; the files themselves carry no data and
// need none. See docs/ui.md.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
)

//go:embed assets
var assets embed.FS

// Pages are the page's paths: each answers index.html, and the page's
// router draws the view (records/<id> is a record's detail).
var Pages = []string{"/", "/breakdown", "/records", "/activity", "/cache"}

// CSP is the Content-Security-Policy of every answer: only this origin's
// scripts, styles and API; no inline script or style; no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the page. Static files are at /assets/<version>/...,
// where version is a hash of all of them: they are cached for a year, and
// a new binary with other files has other URLs. index.html is never cached.
type Handler struct {
	version string
	index   []byte
	files   map[string][]byte // path under assets/ -> content
}

// New reads the embedded files.
func New() *Handler {
	h := &Handler{files: map[string][]byte{}}
	sum := sha256.New()
	var names []string
	_ = fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	slices.Sort(names)
	for _, p := range names {
		b, err := assets.ReadFile(p)
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		h.files[strings.TrimPrefix(p, "assets/")] = b
		sum.Write([]byte(p))
		sum.Write(b)
	}
	h.version = hex.EncodeToString(sum.Sum(nil))[:12]
	h.index = bytes.ReplaceAll(h.files["index.html"], []byte("{{version}}"), []byte(h.version))
	return h
}

// Version is the hash in the asset URLs.
func (h *Handler) Version() string { return h.version }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/assets/"); ok {
		v, name, _ := strings.Cut(rest, "/")
		b, found := h.files[name]
		if !found || name == "index.html" || strings.Contains(name, "..") {
			http.NotFound(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) { // not left to the system's MIME table
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		hd.Set("Content-Type", ct)
		if v == h.version {
			hd.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			hd.Set("Cache-Control", "no-cache") // an old page's URL: the current file
		}
		_, _ = w.Write(b)
		return
	}
	if slices.Contains(Pages, p) || isRecordPage(p) {
		hd.Set("Content-Type", "text/html; charset=utf-8")
		hd.Set("Cache-Control", "no-cache")
		_, _ = w.Write(h.index)
		return
	}
	http.NotFound(w, r)
}

// isRecordPage: /records/<id>, a record's detail.
func isRecordPage(p string) bool {
	id, ok := strings.CutPrefix(p, "/records/")
	return ok && id != "" && !strings.Contains(id, "/")
}
