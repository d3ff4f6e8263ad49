package budget

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustBudget(t testing.TB, s Spec) *Budget {
	t.Helper()
	if s.ID == "" {
		s.ID = "b"
	}
	if s.Limit == "" {
		s.Limit = "100"
	}
	if s.Currency == "" {
		s.Currency = "USD"
	}
	b, err := New(s)
	require.NoError(t, err)
	return b
}

func period(kind, tz string) *Budget {
	return mustBudgetNoT(Spec{ID: "p", Period: Period{Kind: kind, TimeZone: tz}, Limit: "100", Currency: "USD"})
}

func mustBudgetNoT(s Spec) *Budget {
	b, err := New(s)
	if err != nil {
		panic(err)
	}
	return b
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func local(tz, s string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(err)
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	ny     = "America/New_York"
	berlin = "Europe/Berlin"
)

func TestWindow(t *testing.T) {
	cases := []struct {
		name       string
		kind, tz   string
		now        time.Time
		start, end string // UTC
		length     time.Duration
	}{
		{"day utc", Day, "", utc("2026-03-08T12:00:00Z"), "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 24 * time.Hour},
		{"day utc at midnight", Day, "", utc("2026-03-09T00:00:00Z"), "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z", 24 * time.Hour},
		{"day utc last nano", Day, "", utc("2026-03-08T23:59:59.999999999Z"), "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 24 * time.Hour},
		{"day new york plain", Day, ny, local(ny, "2026-03-07T12:00:00"), "2026-03-07T05:00:00Z", "2026-03-08T05:00:00Z", 24 * time.Hour},
		{"day new york spring forward", Day, ny, local(ny, "2026-03-08T12:00:00"), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23 * time.Hour},
		{"day new york spring forward, before the jump", Day, ny, local(ny, "2026-03-08T01:59:00"), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 23 * time.Hour},
		{"day new york fall back", Day, ny, local(ny, "2026-11-01T12:00:00"), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25 * time.Hour},
		{"day new york fall back, the second 01:30", Day, ny, utc("2026-11-01T06:30:00Z"), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 25 * time.Hour},
		{"day new york, UTC already tomorrow", Day, ny, utc("2026-03-10T03:00:00Z"), "2026-03-09T04:00:00Z", "2026-03-10T04:00:00Z", 24 * time.Hour},
		{"day berlin spring forward", Day, berlin, local(berlin, "2026-03-29T12:00:00"), "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 23 * time.Hour},
		{"day berlin fall back", Day, berlin, local(berlin, "2026-10-25T12:00:00"), "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 25 * time.Hour},
		{"day berlin, UTC still yesterday", Day, berlin, utc("2026-06-30T22:30:00Z"), "2026-06-30T22:00:00Z", "2026-07-01T22:00:00Z", 24 * time.Hour},

		{"week utc across the year end", Week, "", utc("2027-01-01T10:00:00Z"), "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", 7 * 24 * time.Hour},
		{"week utc on its monday", Week, "", utc("2026-12-28T00:00:00Z"), "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", 7 * 24 * time.Hour},
		{"week utc on its sunday", Week, "", utc("2027-01-03T23:59:59Z"), "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", 7 * 24 * time.Hour},
		{"week berlin across the year end", Week, berlin, local(berlin, "2026-12-31T23:00:00"), "2026-12-27T23:00:00Z", "2027-01-03T23:00:00Z", 7 * 24 * time.Hour},
		{"week berlin, UTC still the week before", Week, berlin, utc("2026-12-27T23:30:00Z"), "2026-12-27T23:00:00Z", "2027-01-03T23:00:00Z", 7 * 24 * time.Hour},
		{"week new york spring forward", Week, ny, local(ny, "2026-03-08T12:00:00"), "2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z", 167 * time.Hour},
		{"week berlin fall back", Week, berlin, local(berlin, "2026-10-25T12:00:00"), "2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z", 169 * time.Hour},

		{"month february leap year", Month, "", utc("2028-02-29T23:59:59Z"), "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", 29 * 24 * time.Hour},
		{"month february", Month, "", utc("2026-02-14T00:00:00Z"), "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 28 * 24 * time.Hour},
		{"month december", Month, "", utc("2026-12-31T12:00:00Z"), "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", 31 * 24 * time.Hour},
		{"month new york spring forward", Month, ny, local(ny, "2026-03-31T23:00:00"), "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z", 743 * time.Hour},
		{"month new york fall back", Month, ny, local(ny, "2026-11-01T00:00:00"), "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z", 721 * time.Hour},
		{"month berlin, UTC still january", Month, berlin, utc("2026-01-31T23:30:00Z"), "2026-01-31T23:00:00Z", "2026-02-28T23:00:00Z", 28 * 24 * time.Hour},
		{"month berlin leap february", Month, berlin, local(berlin, "2028-02-29T12:00:00"), "2028-01-31T23:00:00Z", "2028-02-29T23:00:00Z", 29 * 24 * time.Hour},

		{"rolling 7 days", Rolling, "", utc("2026-03-08T16:00:00Z"), "2026-03-01T16:00:00Z", "2026-03-08T16:00:00Z", 7 * 24 * time.Hour},
		{"rolling 1 day over DST", Rolling, "", local(ny, "2026-03-08T12:00:00"), "2026-03-07T16:00:00Z", "2026-03-08T16:00:00Z", 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Spec{ID: "p", Period: Period{Kind: c.kind, TimeZone: c.tz}, Limit: "1", Currency: "USD"}
			if c.kind == Rolling {
				s.Period.Days = int(c.length / (24 * time.Hour))
			}
			b := mustBudget(t, s)
			start, end := b.Window(c.now)
			assert.Equal(t, utc(c.start), start.UTC(), "start")
			assert.Equal(t, utc(c.end), end.UTC(), "end")
			assert.Equal(t, c.length, end.Sub(start), "length")
			assert.Equal(t, c.length, b.Length(c.now))
		})
	}
}

func TestPrevious(t *testing.T) {
	cases := []struct {
		name       string
		b          *Budget
		now        time.Time
		start, end string
	}{
		{"day after spring forward", period(Day, ny), local(ny, "2026-03-09T12:00:00"), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"day at midnight", period(Day, berlin), local(berlin, "2026-10-26T00:00:00"), "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"week across the year end", period(Week, ""), utc("2027-01-04T00:00:00Z"), "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z"},
		{"month into a leap february", period(Month, ""), utc("2028-03-15T00:00:00Z"), "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"month into december", period(Month, ny), local(ny, "2027-01-01T00:00:00"), "2026-12-01T05:00:00Z", "2027-01-01T05:00:00Z"},
		{"rolling", mustBudgetNoT(Spec{ID: "r", Period: Period{Kind: Rolling, Days: 7}, Limit: "1", Currency: "USD"}),
			utc("2026-03-15T10:00:00Z"), "2026-03-01T10:00:00Z", "2026-03-08T10:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, end := c.b.Previous(c.now)
			assert.Equal(t, utc(c.start), start.UTC())
			assert.Equal(t, utc(c.end), end.UTC())
		})
	}
}

// TestRollOver walks every hour of three years, in three zones, and checks
// each calendar window contains the instant, starts at a local midnight of
// the right day, has a length the calendar allows, and hands over to the
// next window and back to the previous one without a gap or an overlap.
func TestRollOver(t *testing.T) {
	for _, tz := range []string{"", ny, berlin} {
		for _, kind := range []string{Day, Week, Month} {
			b := period(kind, tz)
			loc := b.Location()
			windows := 0
			var last time.Time
			from, to := time.Date(2026, 1, 1, 0, 30, 0, 0, loc), time.Date(2029, 1, 1, 0, 0, 0, 0, loc)
			for now := from; now.Before(to); now = now.Add(time.Hour) {
				start, end := b.Window(now)
				require.True(t, !now.Before(start) && now.Before(end), "%s %s %v in [%v, %v)", kind, tz, now, start, end)
				ls := start.In(loc)
				require.Equal(t, [3]int{0, 0, 0}, [3]int{ls.Hour(), ls.Minute(), ls.Second()}, "%s %s starts at midnight: %v", kind, tz, ls)
				days := 1
				switch kind {
				case Week:
					require.Equal(t, time.Monday, ls.Weekday())
					days = 7
				case Month:
					require.Equal(t, 1, ls.Day())
					days = ls.AddDate(0, 1, -1).Day()
				}
				d := end.Sub(start)
				nominal := time.Duration(days) * 24 * time.Hour
				if tz == "" {
					require.Equal(t, nominal, d)
				} else {
					require.Contains(t, []time.Duration{nominal - time.Hour, nominal, nominal + time.Hour}, d)
				}
				ns, _ := b.Window(end)
				require.Equal(t, end, ns, "the next window starts where this one ends")
				_, pe := b.Previous(now)
				require.Equal(t, start, pe, "the previous window ends where this one starts")
				if !start.Equal(last) {
					windows++
					last = start
				}
			}
			switch kind {
			case Day:
				assert.Equal(t, 3*365+1, windows, tz)
			case Month:
				assert.Equal(t, 36, windows, tz)
			}
		}
	}
}
