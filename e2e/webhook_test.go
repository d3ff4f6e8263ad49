package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-genai/otelcol-genai/internal/fixtures"
)

// webhookReceiver is a budget webhook endpoint that checks each
// signature and counts the notifications by budget and kind.
type webhookReceiver struct {
	secret string
	mu     sync.Mutex
	kinds  map[string]int
	bad    int
}

func (w *webhookReceiver) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(w.secret))
	mac.Write([]byte(r.Header.Get("X-GenAI-Timestamp") + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	var p struct {
		Kind      string `json:"kind"`
		Threshold int    `json:"threshold"`
		Budget    struct {
			ID string `json:"id"`
		} `json:"budget"`
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-GenAI-Signature"))) || json.Unmarshal(body, &p) != nil {
		w.bad++
		http.Error(rw, "bad signature or body", http.StatusBadRequest)
		return
	}
	w.kinds[fmt.Sprintf("%s %s %d", p.Budget.ID, p.Kind, p.Threshold)]++
}

func (w *webhookReceiver) snapshot() (kinds map[string]int, bad int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	kinds = make(map[string]int, len(w.kinds))
	for k, v := range w.kinds {
		kinds[k] = v
	}
	return kinds, w.bad
}

// webhookSets configures stackBudget (a small limit that the fixtures'
// calls exceed) and one signed webhook to url, refreshed every second.
func webhookSets(url string) []string {
	return []string{
		"exporters::genai_usage::budgets=" + stackBudget,
		"exporters::genai_usage::budget_status::refresh_interval=1s",
		"exporters::genai_usage::budget_notifications::webhooks=[{name: e2e, url: " + url + ", secret: e2e-secret}]",
	}
}

// TestBudgetWebhooksExactlyOnce runs the built collector with a budget the
// fixtures exceed and a webhook to a real receiver: each threshold crossing
// arrives once, signed; a restarted collector on the same SQLite file sends
// none again; and two collectors on one PostgreSQL database send each once.
func TestBudgetWebhooksExactlyOnce(t *testing.T) {
	fs, err := fixtures.Load("captured", "written")
	require.NoError(t, err)
	wantKinds := []string{"everything threshold 50", "everything threshold 80", "everything threshold 100"}
	waitFor := func(t *testing.T, w *webhookReceiver) map[string]int {
		require.Eventually(t, func() bool {
			got, _ := w.snapshot()
			for _, k := range wantKinds {
				if got[k] == 0 {
					return false
				}
			}
			return true
		}, 30*time.Second, 100*time.Millisecond, "every threshold notified")
		time.Sleep(3 * time.Second) // three more refreshes: a repeat would show
		got, bad := w.snapshot()
		assert.Zero(t, bad, "every notification signed")
		for k, n := range got {
			assert.Equal(t, 1, n, "%s sent once", k)
		}
		return got
	}

	t.Run("restart", func(t *testing.T) {
		w := &webhookReceiver{secret: "e2e-secret", kinds: map[string]int{}}
		srv := httptest.NewServer(w)
		defer srv.Close()
		dir := t.TempDir()
		c := startUsageCollector(t, dir, webhookSets(srv.URL)...)
		for _, f := range fs {
			c.send(t, f.Traces)
		}
		first := waitFor(t, w)
		c.stop(t)
		c = startUsageCollector(t, dir, webhookSets(srv.URL)...)
		time.Sleep(3 * time.Second)
		got, _ := w.snapshot()
		assert.Equal(t, first, got, "a restart sends nothing again")
		c.stop(t)
	})

	t.Run("two collectors on one PostgreSQL", func(t *testing.T) {
		dsn := pgDatabase(t, "e2e_webhooks")
		w := &webhookReceiver{secret: "e2e-secret", kinds: map[string]int{}}
		srv := httptest.NewServer(w)
		defer srv.Close()
		sets := append(webhookSets(srv.URL), "exporters::genai_usage::store::driver=postgres", "exporters::genai_usage::store::postgres::dsn="+dsn)
		a := startUsageCollector(t, t.TempDir(), sets...)
		b := startUsageCollector(t, t.TempDir(), sets...)
		for i, f := range fs {
			if i%2 == 0 {
				a.send(t, f.Traces)
			} else {
				b.send(t, f.Traces)
			}
		}
		waitFor(t, w)
	})
}
