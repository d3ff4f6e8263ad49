package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// The subcommands that work on stored records (reprice, export, audit)
// ask a running collector's usage API: the collector keeps one writer on
// its store and its own catalog, contracts and rates, which a repricing
// must use.

// apiFlags are the flags of the subcommands that call the usage API.
type apiFlags struct {
	url, token string
}

func (a *apiFlags) add(f *cmdFlags, tokenEnv string) {
	def := os.Getenv("OTELCOL_GENAI_API")
	if def == "" {
		def = "http://127.0.0.1:8480"
	}
	f.StringVar(&a.url, "url", def, "the genai_usage exporter's API endpoint (default from OTELCOL_GENAI_API)")
	f.StringVar(&a.token, "token", os.Getenv(tokenEnv), "bearer token (default from "+tokenEnv+")")
}

// apiClient calls the usage API.
type apiClient struct {
	base, token string
	http        *http.Client
}

func (a *apiFlags) client() *apiClient {
	return &apiClient{base: strings.TrimSuffix(a.url, "/"), token: a.token, http: &http.Client{Timeout: 60 * time.Second}}
}

// do sends a request and decodes the envelope's data into out. An error
// answer is returned with the API's message.
func (c *apiClient) do(method, path, body string, out any) error {
	resp, err := c.send(method, path, body)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	var env struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: HTTP %d, not the usage API's answer: %.200s", method, path, resp.StatusCode, raw)
	}
	if resp.StatusCode >= 300 || env.Status != "success" {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, env.Error)
	}
	if out != nil {
		return json.Unmarshal(env.Data, out)
	}
	return nil
}

func (c *apiClient) send(method, path, body string) (*http.Response, error) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is the collector running, with its API at --url?)", method, path, err)
	}
	return resp, nil
}

// parseTimeFlag reads a flag's time: RFC 3339 or a date (UTC midnight).
func parseTimeFlag(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("--%s is required", name)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s: %q is not an RFC 3339 time or a date (2026-11-30)", name, s)
}

var errRunFailed = errors.New("the repricing run failed")
