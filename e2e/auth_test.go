package e2e

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEndpointsTakeAuthExtensions: the distribution's bearertokenauth
// extension guards the exporter's metrics and API endpoints through the
// collector's standard `auth` setting, beside the exporter's own tokens.
func TestEndpointsTakeAuthExtensions(t *testing.T) {
	c := startUsageCollector(t, t.TempDir(),
		"extensions::bearertokenauth::token=ext-token-1",
		"service::extensions=[file_storage, bearertokenauth]",
		"exporters::genai_usage::metrics::auth::authenticator=bearertokenauth",
		"exporters::genai_usage::api::bearer_tokens=[api-token-1]",
	)
	status := func(url, token string) int {
		req, err := http.NewRequest(http.MethodGet, url, http.NoBody)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, status(c.metrics, ""))
	assert.Equal(t, http.StatusUnauthorized, status(c.metrics, "api-token-1"))
	assert.Equal(t, http.StatusOK, status(c.metrics, "ext-token-1"))
	assert.Equal(t, http.StatusUnauthorized, status(c.api+"summary", ""))
	assert.Equal(t, http.StatusOK, status(c.api+"summary", "api-token-1"))
}
