package budgets

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
)

// Webhook formats.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Signature headers: SignatureHeader is "sha256=" and the hex HMAC-SHA256,
// with the webhook's secret, of the TimestampHeader's value, a '.', and
// the body.
const (
	SignatureHeader = "X-GenAI-Signature"
	TimestampHeader = "X-GenAI-Timestamp"
)

// Webhook is where notifications are posted.
type Webhook struct {
	Name, URL, Secret string
	// Format is FormatJSON (the body) or FormatSlack ({"text": ...}).
	Format  string
	Timeout time.Duration
}

// Retry is the backoff of a failed delivery: the first wait, doubled at
// each attempt up to the longest, until MaxElapsed has passed since the
// first attempt.
type Retry struct {
	Initial, Max, MaxElapsed time.Duration
}

// NotifyMetrics counts notifications by webhook name.
type NotifyMetrics interface {
	NotificationSent(webhook string)
	NotificationFailed(webhook string)
	NotificationPending(webhook string, delta int)
}

// Notifier sends the budget notifications of webhooks: each crossing of a
// threshold, and each forecast that the limit will be crossed before the
// window ends, once per (webhook, budget, value, window start, kind),
// claimed in the store before it is delivered.
type Notifier struct {
	Store    store.NotificationStore
	Webhooks []Webhook
	Retry    Retry
	// Now is the clock of claims and leases.
	Now     func() time.Time
	Metrics NotifyMetrics // may be nil
	Logger  *zap.Logger
	Client  *http.Client

	once     sync.Once
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	mu       sync.Mutex
	inFlight map[store.NotificationKey]bool
}

// pendingBatch bounds the pending notifications resumed at one Evaluate.
const pendingBatch = 100

func (n *Notifier) init() {
	n.once.Do(func() {
		n.ctx, n.cancel = context.WithCancel(context.Background())
		n.inFlight = map[store.NotificationKey]bool{}
		if n.Client == nil {
			n.Client = &http.Client{}
		}
		if n.Logger == nil {
			n.Logger = zap.NewNop()
		}
		if n.Now == nil {
			n.Now = time.Now
		}
	})
}

// lease is how long a collector holds a pending notification per
// attempt: its timeout and longest wait, and a minute of slack.
func (n *Notifier) lease(w *Webhook) time.Duration {
	return w.Timeout + n.Retry.Max + time.Minute
}

// Payload is a notification's JSON body.
type Payload struct {
	// Kind is "threshold" or "forecast".
	Kind   string        `json:"kind"`
	Budget PayloadBudget `json:"budget"`
	// Value is the value of an each budget's dimension; "" otherwise.
	Value       string           `json:"value,omitempty"`
	Period      budget.Period    `json:"period"`
	WindowStart time.Time        `json:"window_start"`
	WindowEnd   time.Time        `json:"window_end"`
	Threshold   int              `json:"threshold,omitempty"`
	Spent       string           `json:"spent"`
	Limit       string           `json:"limit"`
	Currency    string           `json:"currency"`
	Ratio       string           `json:"ratio"`
	Forecast    *PayloadForecast `json:"forecast,omitempty"`
	// UnpricedCalls are the calls in scope that could not be priced: spent
	// is at least what is said. For an each budget, of all its values.
	UnpricedCalls int64     `json:"unpriced_calls"`
	At            time.Time `json:"at"`
}

// PayloadBudget names the budget of a notification.
type PayloadBudget struct {
	ID    string       `json:"id"`
	Name  string       `json:"name,omitempty"`
	Scope budget.Scope `json:"scope"`
}

// PayloadForecast is the forecast of a forecast notification.
type PayloadForecast struct {
	Method    string    `json:"method"`
	Projected string    `json:"projected"`
	Crossing  time.Time `json:"crossing"`
}

// candidate is a notification a status calls for.
type candidate struct {
	key  store.NotificationKey
	body Payload
}

// candidates lists the notifications st calls for, for one webhook.
func candidates(st *Status, now time.Time) []candidate {
	var out []candidate
	add := func(value string, s *budget.Status, unpriced int64) {
		spec := st.Budget.Spec()
		start := st.Start
		if spec.Period.Kind == budget.Rolling {
			// A rolling window starts anew at every instant: key it by its
			// UTC day, so that a rolling budget notifies once a day at most.
			start = start.UTC().Truncate(24 * time.Hour)
		}
		base := Payload{
			Budget: PayloadBudget{ID: spec.ID, Name: spec.Name, Scope: spec.Scope},
			Value:  value, Period: spec.Period, WindowStart: st.Start.UTC(), WindowEnd: st.End.UTC(),
			Spent: s.Spent.String(), Limit: s.Limit.String(), Currency: s.Currency, Ratio: s.Ratio,
			UnpricedCalls: unpriced, At: now.UTC(),
		}
		for _, th := range s.Crossed {
			p := base
			p.Kind, p.Threshold = "threshold", th
			out = append(out, candidate{store.NotificationKey{BudgetID: spec.ID, Value: value, WindowStart: start, Kind: "threshold:" + strconv.Itoa(th)}, p})
		}
		// The earliest crossing among the forecasts that cross before the
		// window ends.
		var f *budget.Forecast
		for i := range s.Forecasts {
			c := &s.Forecasts[i]
			if c.Crosses() && c.Crossing.Before(st.End) && (f == nil || c.Crossing.Before(f.Crossing)) {
				f = c
			}
		}
		if f != nil {
			p := base
			p.Kind = "forecast"
			p.Forecast = &PayloadForecast{Method: f.Method, Projected: f.Projected.String(), Crossing: f.Crossing.UTC()}
			out = append(out, candidate{store.NotificationKey{BudgetID: spec.ID, Value: value, WindowStart: start, Kind: "forecast"}, p})
		}
	}
	if st.Total != nil {
		add("", st.Total, st.Total.Unpriced)
	}
	for i := range st.Values {
		add(st.Values[i].Value, &st.Values[i].Status, st.Unpriced)
	}
	return out
}

// Evaluate claims the notifications the statuses call for that no
// collector has claimed yet, and delivers them in the background; it also
// resumes the pending notifications whose lease has run out (a collector
// that stopped or failed before delivering them).
func (n *Notifier) Evaluate(ctx context.Context, sts []Status) error {
	n.init()
	if len(n.Webhooks) == 0 {
		return nil
	}
	now := n.Now()
	var errs []error
	for i := range sts {
		for _, c := range candidates(&sts[i], now) {
			body, err := json.Marshal(c.body)
			if err != nil {
				return err
			}
			for wi := range n.Webhooks {
				w := &n.Webhooks[wi]
				k := c.key
				k.Webhook = w.Name
				won, err := n.Store.ClaimNotification(ctx, &store.Notification{NotificationKey: k, Body: body, Created: now, LeaseUntil: now.Add(n.lease(w))})
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if won {
					n.start(w, store.Notification{NotificationKey: k, Body: body, State: store.NotificationPending})
				}
			}
		}
	}
	errs = append(errs, n.resume(ctx, now))
	return errors.Join(errs...)
}

// resume takes over the pending notifications whose lease has run out.
func (n *Notifier) resume(ctx context.Context, now time.Time) error {
	pending, err := n.Store.PendingNotifications(ctx, now, pendingBatch)
	if err != nil {
		return err
	}
	for _, p := range pending {
		w := n.webhook(p.Webhook)
		if w == nil || n.busy(p.NotificationKey) {
			continue // a webhook no longer configured stays pending
		}
		ok, err := n.Store.LeaseNotification(ctx, p.NotificationKey, now, now.Add(n.lease(w)))
		if err != nil {
			return err
		}
		if ok {
			n.start(w, p)
		}
	}
	return nil
}

func (n *Notifier) webhook(name string) *Webhook {
	for i := range n.Webhooks {
		if n.Webhooks[i].Name == name {
			return &n.Webhooks[i]
		}
	}
	return nil
}

func (n *Notifier) busy(k store.NotificationKey) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.inFlight[k]
}

// start delivers p in the background.
func (n *Notifier) start(w *Webhook, p store.Notification) {
	n.mu.Lock()
	if n.ctx.Err() != nil || n.inFlight[p.NotificationKey] {
		n.mu.Unlock()
		return
	}
	n.inFlight[p.NotificationKey] = true
	n.wg.Add(1)
	n.mu.Unlock()
	n.pending(w.Name, 1)
	go func() {
		defer n.wg.Done()
		defer func() {
			n.mu.Lock()
			delete(n.inFlight, p.NotificationKey)
			n.mu.Unlock()
			n.pending(w.Name, -1)
		}()
		n.deliver(w, &p)
	}()
}

func (n *Notifier) pending(w string, d int) {
	if n.Metrics != nil {
		n.Metrics.NotificationPending(w, d)
	}
}

// deliver posts p until the webhook accepts it or the retries run out,
// keeping each attempt's outcome in the store. Stopped by Close, it
// leaves p pending with its lease released, for the next start.
func (n *Notifier) deliver(w *Webhook, p *store.Notification) {
	begin := time.Now()
	wait := n.Retry.Initial
	attempts := p.Attempts
	for {
		attempts++
		err := n.post(n.ctx, w, p.Body)
		now := n.Now()
		upd := store.NotificationUpdate{State: store.NotificationSent, Attempts: attempts, Time: now}
		stopped := n.ctx.Err() != nil && errors.Is(err, context.Canceled)
		switch {
		case err == nil:
		case stopped:
			// Stopped: not an attempt; release the lease for a restart.
			upd = store.NotificationUpdate{State: store.NotificationPending, Attempts: attempts - 1, LastError: p.LastError, Time: now}
		case time.Since(begin)+wait > n.Retry.MaxElapsed:
			upd.State, upd.LastError = store.NotificationFailed, err.Error()
		default:
			upd.State, upd.LastError, upd.LeaseUntil = store.NotificationPending, err.Error(), now.Add(n.lease(w)+wait)
		}
		if uerr := n.Store.UpdateNotification(context.WithoutCancel(n.ctx), p.NotificationKey, upd); uerr != nil {
			n.Logger.Warn("Budget notification: could not record a delivery attempt", zap.String("webhook", w.Name), zap.String("budget", p.BudgetID), zap.Error(uerr))
		}
		switch {
		case upd.State == store.NotificationSent:
			if n.Metrics != nil {
				n.Metrics.NotificationSent(w.Name)
			}
			return
		case upd.State == store.NotificationFailed:
			n.Logger.Warn("Budget notification failed after its retries", zap.String("webhook", w.Name), zap.String("budget", p.BudgetID), zap.String("kind", p.Kind), zap.Int("attempts", attempts), zap.Error(err))
			if n.Metrics != nil {
				n.Metrics.NotificationFailed(w.Name)
			}
			return
		case stopped:
			return
		}
		p.LastError = upd.LastError
		t := time.NewTimer(wait)
		select {
		case <-n.ctx.Done():
			t.Stop()
			_ = n.Store.UpdateNotification(context.WithoutCancel(n.ctx), p.NotificationKey, store.NotificationUpdate{State: store.NotificationPending, Attempts: attempts, LastError: p.LastError, Time: n.Now()})
			return
		case <-t.C:
		}
		wait = min(2*wait, n.Retry.Max)
	}
}

// Sign is the signature header's value of body sent at timestamp ts (Unix
// seconds, as in the timestamp header): "sha256=" and the hex HMAC-SHA256
// of ts, '.', body, with secret.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends one attempt; an answer other than 2xx is an error.
func (n *Notifier) post(ctx context.Context, w *Webhook, payload []byte) error {
	body := payload
	if w.Format == FormatSlack {
		var p Payload
		if err := json.Unmarshal(payload, &p); err != nil {
			return err
		}
		b, err := json.Marshal(map[string]string{"text": SlackText(&p)})
		if err != nil {
			return err
		}
		body = b
	}
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(TimestampHeader, ts)
	if w.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(w.Secret, ts, body))
	}
	resp, err := n.Client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// SlackText is the text of a Slack notification.
func SlackText(p *Payload) string {
	who := p.Budget.ID
	if p.Value != "" {
		who += " (" + p.Budget.Scope.Each + " " + p.Value + ")"
	}
	var s string
	if p.Kind == "forecast" {
		s = fmt.Sprintf("Budget %s is forecast to reach its limit of %s %s at %s (%s: %s %s by the window's end); spent %s %s so far.",
			who, p.Limit, p.Currency, p.Forecast.Crossing.Format(time.RFC3339), p.Forecast.Method, p.Forecast.Projected, p.Currency, p.Spent, p.Currency)
	} else {
		s = fmt.Sprintf("Budget %s crossed %d%% of its limit: spent %s of %s %s.", who, p.Threshold, p.Spent, p.Limit, p.Currency)
	}
	if p.UnpricedCalls > 0 {
		s += fmt.Sprintf(" Spent at least that: %d calls could not be priced.", p.UnpricedCalls)
	}
	return s + fmt.Sprintf(" Window %s to %s.", p.WindowStart.Format(time.RFC3339), p.WindowEnd.Format(time.RFC3339))
}

// Close stops the deliveries under way, leaving them pending with their
// lease released so that the next start resumes them, and waits for them.
func (n *Notifier) Close() {
	n.init()
	n.mu.Lock()
	n.cancel()
	n.mu.Unlock()
	n.wg.Wait()
}

// Wait waits for the deliveries under way, for tests.
func (n *Notifier) Wait() { n.wg.Wait() }
