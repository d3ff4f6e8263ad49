// Package bearer checks "Authorization: Bearer <token>" against a list of
// configured tokens, in constant time, for the exporter's HTTP endpoints.
package bearer

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Token returns the request's bearer token; false if it has none.
func Token(r *http.Request) ([]byte, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, false
	}
	return []byte(strings.TrimSpace(tok)), true
}

// Match compares got with every token in constant time (every one is
// compared, so the time tells nothing of which matched) and returns the
// index of the one it equals, or -1.
func Match(got []byte, toks [][]byte) int {
	found := -1
	for i, t := range toks {
		if subtle.ConstantTimeCompare(got, t) == 1 {
			found = i
		}
	}
	return found
}

// Bytes returns the tokens as byte slices, for Match.
func Bytes[S ~string](toks []S) [][]byte {
	out := make([][]byte, len(toks))
	for i, t := range toks {
		out[i] = []byte(t)
	}
	return out
}

// Require serves next only to requests with one of toks; others get a 401
// with a WWW-Authenticate challenge naming realm. With no tokens it is
// next itself.
func Require(realm string, toks [][]byte, next http.Handler) http.Handler {
	if len(toks) == 0 {
		return next
	}
	challenge := `Bearer realm="` + realm + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, ok := Token(r); ok && Match(got, toks) >= 0 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", challenge)
		http.Error(w, "missing or wrong bearer token (Authorization: Bearer <token>)", http.StatusUnauthorized)
	})
}
