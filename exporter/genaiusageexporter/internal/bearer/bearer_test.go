package bearer

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequire(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "metrics") })
	srv := httptest.NewServer(Require("genai_usage metrics", Bytes([]string{"s3cret", "other-token"}), ok))
	defer srv.Close()
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Bearer s3cre", http.StatusUnauthorized},
		{"Basic s3cret", http.StatusUnauthorized},
		{"Bearer s3cret", http.StatusOK},
		{"bearer   other-token ", http.StatusOK},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL, http.NoBody)
		require.NoError(t, err)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, tc.want, resp.StatusCode, "%q", tc.header)
		if tc.want == http.StatusOK {
			assert.Equal(t, "metrics", string(body))
		} else {
			assert.Equal(t, `Bearer realm="genai_usage metrics"`, resp.Header.Get("WWW-Authenticate"))
			assert.NotContains(t, string(body), "metrics\n", "nothing of the protected answer")
		}
	}
}

func TestNoTokensIsOpen(t *testing.T) {
	rec := httptest.NewRecorder()
	Require("x", nil, http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", http.NoBody))
	assert.Equal(t, http.StatusNotFound, rec.Code, "served by next, with no token asked")
}
