package fx

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Source is one file of exchange rates: a name for errors (usually its
// path) and its content.
type Source struct {
	Name string
	Data []byte
}

// Option sets a property of a Table.
type Option func(*Table)

// WithMaxAge refuses a rate that was in force for longer than d at the
// instant asked: Table.Rate passes it over, and fails with ErrStale if no
// other way is left. Zero, the default, sets no limit. Allow for weekends
// and holidays: the ECB publishes on business days only, so a Monday
// morning uses Friday's rate, three days old.
func WithMaxAge(d time.Duration) Option {
	return func(t *Table) { t.maxAge = d }
}

// Load reads and checks the sources and merges them in order, each
// extending the ones before it. The format of each is told from its
// content: our CSV, YAML, or an ECB reference-rate CSV.
//
// Errors name the source, the line and the field.
func Load(sources []Source, opts ...Option) (*Table, error) {
	t := &Table{}
	for _, o := range opts {
		o(t)
	}
	if t.maxAge < 0 {
		return nil, fmt.Errorf("max age %s is negative; use 0 for no limit", t.maxAge)
	}
	if len(sources) == 0 {
		return nil, errors.New("no exchange-rate sources")
	}
	b := &builder{series: map[pair][]row{}}
	for i, src := range sources {
		b.names = append(b.names, src.Name)
		before := b.count
		if err := b.load(i, src); err != nil {
			return nil, err
		}
		if b.count == before {
			return nil, fmt.Errorf("%s: no exchange rates", src.Name)
		}
	}
	if err := b.finish(t); err != nil {
		return nil, err
	}
	return t, nil
}

type pair struct{ base, quote string }

// row is one rate as read, before the table is built.
type row struct {
	at     int64 // effective instant, Unix nanoseconds
	digits uint64
	scale  int
	text   string
	field  string // where the rate is on its line, for errors
	src    int32
	line   int32
	col    int32
}

// before reports whether r was read before o.
func (r *row) before(o *row) bool {
	return cmp.Or(cmp.Compare(r.src, o.src), cmp.Compare(r.line, o.line), cmp.Compare(r.col, o.col)) < 0
}

type builder struct {
	names  []string
	series map[pair][]row
	count  int // rates read, repeats included
}

func (b *builder) where(src, line int32) string {
	return fmt.Sprintf("%s:%d", b.names[src], line)
}

// checkPair checks the currencies of a pair and returns the field at fault,
// base or quote, with the error.
func checkPair(base, quote string) (string, error) {
	if err := checkCode(base); err != nil {
		return "base", err
	}
	if err := checkCode(quote); err != nil {
		return "quote", err
	}
	if base == quote {
		return "quote", fmt.Errorf("%s/%s has the same currency on both sides", base, quote)
	}
	return "", nil
}

// add records one rate of a checked pair; field names the part of the
// line that holds the rate, and col its column, for errors.
func (b *builder) add(src, line, col int, field string, p pair, text string, at time.Time) error {
	digits, scale, err := parseDecimal(text)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", b.where(int32(src), int32(line)), field, err)
	}
	b.count++
	b.series[p] = append(b.series[p], row{
		at: at.UnixNano(), digits: digits, scale: scale, text: text, field: field,
		src: int32(src), line: int32(line), col: int32(col),
	})
	return nil
}

// dedup sorts the rates of a pair by date and drops repeats of the same
// value. A date given twice with different values is a conflict: it
// returns the first, in reading order, with the rate it conflicts with.
func dedup(rows []row) (kept []row, conflict, with *row) {
	// By date, then in reading order, which is unique to each row.
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.src, b.src), cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col))
	})
	kept = rows[:0]
	for i := 0; i < len(rows); {
		first := rows[i]
		j := i + 1
		for ; j < len(rows) && rows[j].at == first.at; j++ {
			d1, s1 := normal(first.digits, first.scale)
			d2, s2 := normal(rows[j].digits, rows[j].scale)
			if (d1 != d2 || s1 != s2) && (conflict == nil || rows[j].before(conflict)) {
				c, w := rows[j], first
				conflict, with = &c, &w
			}
		}
		kept = append(kept, first)
		i = j
	}
	return kept, conflict, with
}

type fileFormat int

const (
	unknownFormat fileFormat = iota
	ourCSV
	ecbCSV
	yamlFormat
)

func (b *builder) load(src int, s Source) error {
	data := bytes.TrimPrefix(s.Data, []byte("\uFEFF"))
	f, line := detect(data)
	switch f {
	case ourCSV:
		return b.loadCSV(src, s.Name, data)
	case ecbCSV:
		return b.loadECB(src, s.Name, data)
	case yamlFormat:
		return b.loadYAML(src, s.Name, data)
	}
	if line == 0 {
		return fmt.Errorf("%s: no exchange rates", s.Name)
	}
	return fmt.Errorf("%s:%d: unknown format; want a CSV with the header date,base,quote,rate, "+
		"an ECB reference-rate CSV (Date,USD,JPY,...) or YAML with a rates: list", s.Name, line)
}

// detect tells the format from the first line that is neither blank nor a
// comment, and returns that line's number (0 if there is none).
func detect(data []byte) (f fileFormat, line int) {
	for n, rest := 1, data; len(rest) > 0; n++ {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\n"))
		s := strings.TrimSpace(string(l))
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "rates:") || s == "---" || strings.HasPrefix(s, "%YAML") || strings.HasPrefix(s, "{") {
			return yamlFormat, n
		}
		cols := strings.Split(s, ",")
		for i := range cols {
			cols[i] = strings.ToLower(strings.Trim(cols[i], "\" \t\r"))
		}
		switch {
		case slices.Contains(cols, "base") && slices.Contains(cols, "quote"):
			return ourCSV, n
		case len(cols) > 1 && cols[0] == "date":
			return ecbCSV, n
		}
		return unknownFormat, n
	}
	return unknownFormat, 0
}

// records reads CSV records, skipping blank and comment lines, and calls fn
// with each record's fields trimmed and its line number.
func records(name string, data []byte, fn func(fields []string, line int) error) error {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		blank := true
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			blank = blank && rec[i] == ""
		}
		if blank || strings.HasPrefix(rec[0], "#") {
			continue
		}
		if err := fn(rec, line); err != nil {
			return err
		}
	}
}

var csvColumns = []string{"date", "base", "quote", "rate"}

// loadCSV reads our CSV: a header naming date, base, quote and rate in any
// order, then one rate a line.
func (b *builder) loadCSV(src int, name string, data []byte) error {
	var col []int // column of each of csvColumns
	return records(name, data, func(f []string, line int) error {
		if col == nil {
			col = []int{-1, -1, -1, -1}
			for i, h := range f {
				j := slices.Index(csvColumns, strings.ToLower(h))
				switch {
				case h == "" && i == len(f)-1:
					// A trailing comma.
				case j < 0:
					return fmt.Errorf("%s:%d: header: unknown column %q; want date, base, quote and rate", name, line, h)
				case col[j] >= 0:
					return fmt.Errorf("%s:%d: header: column %q is given twice", name, line, h)
				default:
					col[j] = i
				}
			}
			for j, c := range col {
				if c < 0 {
					return fmt.Errorf("%s:%d: header: column %q is missing; want date, base, quote and rate", name, line, csvColumns[j])
				}
			}
			return nil
		}
		for i := range f {
			if f[i] != "" && !slices.Contains(col, i) {
				return fmt.Errorf("%s:%d: field %d: %q is beyond the header's columns", name, line, i+1, f[i])
			}
		}
		get := func(j int) string {
			if col[j] < len(f) {
				return f[col[j]]
			}
			return ""
		}
		at, err := parseDate(get(0))
		if err != nil {
			return fmt.Errorf("%s:%d: date: %w", name, line, err)
		}
		p := pair{get(1), get(2)}
		if field, err := checkPair(p.base, p.quote); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", name, line, field, err)
		}
		return b.add(src, line, 0, "rate", p, get(3), at)
	})
}

// The ECB's daily file dates its one row "05 December 2026".
const ecbDailyDate = "2 January 2006"

// loadECB reads the ECB's reference rates, eurofxref-hist.csv or
// eurofxref.csv: a header "Date,USD,JPY,..." (the daily file puts a space
// after each comma, both end the line with a comma), then a row a business
// day giving 1 EUR in each currency, N/A or empty where there is none.
func (b *builder) loadECB(src int, name string, data []byte) error {
	var quotes []string
	return records(name, data, func(f []string, line int) error {
		if quotes == nil {
			quotes = make([]string, len(f))
			seen := map[string]bool{}
			for i, h := range f[1:] {
				switch {
				case h == "" && i == len(f)-2:
					// A trailing comma.
				case !isCode(h):
					return fmt.Errorf("%s:%d: header: column %d: %w", name, line, i+2, checkCode(h))
				case h == "EUR":
					return fmt.Errorf("%s:%d: header: column %d: EUR is the base of ECB rates, not a quote", name, line, i+2)
				case seen[h]:
					return fmt.Errorf("%s:%d: header: column %s is given twice", name, line, h)
				default:
					seen[h] = true
					quotes[i+1] = h
				}
			}
			return nil
		}
		at, err := parseECBDate(f[0])
		if err != nil {
			return fmt.Errorf("%s:%d: Date: %w", name, line, err)
		}
		for i := 1; i < len(f); i++ {
			v := f[i]
			if v == "" || v == "N/A" {
				continue
			}
			if i >= len(quotes) || quotes[i] == "" {
				return fmt.Errorf("%s:%d: field %d: %q is beyond the header's columns", name, line, i+1, v)
			}
			if err := b.add(src, line, i, quotes[i], pair{"EUR", quotes[i]}, v, at); err != nil {
				return err
			}
		}
		return nil
	})
}

func parseECBDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse(ecbDailyDate, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02 or 02 January 2006)", s)
		}
	}
	return checkYear(s, t)
}

var yamlFields = []string{"date", "base", "quote", "rate"}

// loadYAML reads "rates: [{date: 2026-11-30, base: EUR, quote: USD, rate:
// 1.0823}, ...]", taking each value's literal text.
func (b *builder) loadYAML(src int, name string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return fmt.Errorf("%s: no exchange rates", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping with a rates: list", name, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Value != "rates" {
			return fmt.Errorf("%s:%d: unknown field %q (allowed: rates)", name, k.Line, k.Value)
		}
		list = root.Content[i+1]
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s:%d: rates: want a list of {date, base, quote, rate}", name, root.Line)
	}
	for i, item := range list.Content {
		where := fmt.Sprintf("%s:%d: rates[%d]", name, item.Line, i)
		if item.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: want a mapping {date, base, quote, rate}", where)
		}
		var v [4]*yaml.Node
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, val := item.Content[j], item.Content[j+1]
			f := slices.Index(yamlFields, k.Value)
			switch {
			case f < 0:
				return fmt.Errorf("%s:%d: rates[%d]: unknown field %q (allowed: %s)", name, k.Line, i, k.Value, strings.Join(yamlFields, ", "))
			case v[f] != nil:
				return fmt.Errorf("%s:%d: rates[%d]: %s is given twice", name, k.Line, i, k.Value)
			case val.Kind != yaml.ScalarNode:
				return fmt.Errorf("%s:%d: rates[%d].%s: want a single value", name, val.Line, i, k.Value)
			}
			v[f] = val
		}
		for f, n := range v {
			if n == nil {
				return fmt.Errorf("%s: %s is required", where, yamlFields[f])
			}
		}
		at, err := parseDate(v[0].Value)
		if err != nil {
			return fmt.Errorf("%s:%d: rates[%d].date: %w", name, v[0].Line, i, err)
		}
		p := pair{v[1].Value, v[2].Value}
		if field, err := checkPair(p.base, p.quote); err != nil {
			n := v[1]
			if field == "quote" {
				n = v[2]
			}
			return fmt.Errorf("%s:%d: rates[%d].%s: %w", name, n.Line, i, field, err)
		}
		if err := b.add(src, v[3].Line, 0, fmt.Sprintf("rates[%d].rate", i), p, v[3].Value, at); err != nil {
			return err
		}
	}
	return nil
}
