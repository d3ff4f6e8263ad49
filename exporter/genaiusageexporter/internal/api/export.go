package api

import (
	"bufio"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// exportFormat names an export file, so that an import can tell one.
const exportFormat = "otelcol-genai-usage-export"

// exportHeader is the start of a JSON export; records follow in order.
type exportHeader struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
}

// export streams the records of a range as CSV or JSON, oldest first. The
// range defaults to the last 30 days and may span up to a year.
func (h *handler) export(r *http.Request, p *params) (any, error) {
	format := p.oneOf("format", "json", "json", "csv")
	f := p.filter(h.defaultTo(), defaultSpan, maxSpan)
	if err := p.done(); err != nil {
		return nil, err
	}
	s := &stream{
		contentType: "application/json",
		filename:    fmt.Sprintf("genai-usage-%s-%s.%s", f.From.Format("20060102T150405Z"), f.To.Format("20060102T150405Z"), format),
		write: func(bw *bufio.Writer, begin func()) error {
			return h.exportJSON(r, f, bw, begin)
		},
	}
	if format == "csv" {
		s.contentType = "text/csv; charset=utf-8"
		s.write = func(bw *bufio.Writer, begin func()) error {
			return h.exportCSV(r, f, bw, begin)
		}
	}
	return s, nil
}

func (h *handler) exportJSON(r *http.Request, f store.Filter, bw *bufio.Writer, begin func()) error {
	n := 0
	header := func() {
		begin()
		hdr, _ := json.Marshal(exportHeader{Format: exportFormat, Version: 1, ExportedAt: h.opt.Now(), From: f.From, To: f.To})
		bw.Write(hdr[:len(hdr)-1])
		bw.WriteString(`,"records":[`)
	}
	err := h.s.Export(r.Context(), f, func(rec *usage.Record) error {
		if n == 0 {
			header() // the store answered: the status can be 200
		} else {
			bw.WriteByte(',')
		}
		n++
		b, err := json.Marshal(toJSON(rec))
		if err != nil {
			return err
		}
		bw.WriteString("\n")
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		header()
	}
	bw.WriteString("\n]}\n")
	return nil
}

// csvColumns are the CSV export's columns.
func csvColumns() []string {
	cols := []string{"id", "start_time", "trace_id", "span_id", "duration_ms", "ttft_ms", "service", "environment"}
	cols = append(cols, usage.DimensionNames[:]...)
	cols = append(cols, "provider", "model", "request_model", "response_model", "operation", "raw_operation", "streaming", "status", "reason", "error_type")
	for m := meter.Meter(0); m < meter.Count; m++ {
		if m != meter.Request {
			cols = append(cols, m.String()+"_tokens")
		}
	}
	cols = append(cols, "cost", "currency", "cache_saved", "cost_source", "reported_cost", "reported_currency", "price_card", "estimated", "response_id")
	return append(cols, "service_tier", "list_cost", "contract", "multiplier", "fx_rate", "source_cost", "source_currency", "reconcile", "computed_cost")
}

func (h *handler) exportCSV(r *http.Request, f store.Filter, bw *bufio.Writer, begin func()) error {
	cw := csv.NewWriter(bw)
	n := 0
	header := func() error {
		begin()
		return cw.Write(csvColumns())
	}
	row := make([]string, 0, len(csvColumns()))
	err := h.s.Export(r.Context(), f, func(rec *usage.Record) error {
		if n == 0 {
			if err := header(); err != nil {
				return err
			}
		}
		n++
		j := toJSON(rec)
		row = append(row[:0], j.ID, j.StartTime, j.TraceID, j.SpanID, strconv.FormatInt(j.DurationMs, 10), strconv.FormatInt(j.TTFTMs, 10),
			cell(j.Service), cell(j.Environment))
		for _, v := range rec.Dims.Values() {
			row = append(row, cell(v))
		}
		row = append(row, cell(j.Provider), cell(j.Model), cell(j.RequestModel), cell(j.ResponseModel), cell(j.Operation),
			cell(j.RawOperation), strconv.FormatBool(j.Streaming), j.Status, cell(j.Reason), cell(j.ErrorType))
		for m := meter.Meter(0); m < meter.Count; m++ {
			if m != meter.Request {
				row = append(row, strconv.FormatInt(rec.Tokens[m], 10))
			}
		}
		reported := ""
		if j.ReportedCost != nil {
			reported = *j.ReportedCost
		}
		row = append(row, j.Cost, cell(j.Currency), j.CacheSaved, cell(j.CostSource), reported, cell(j.ReportedCurrency), cell(j.Card),
			strconv.FormatBool(j.Estimated), cell(j.ResponseID),
			cell(j.ServiceTier), j.ListCost, cell(j.Contract), j.Multiplier, cell(j.FXRate), j.SourceCost, cell(j.SourceCurrency),
			j.Reconcile, j.ComputedCost)
		return cw.Write(row)
	})
	if err == nil && n == 0 {
		err = header()
	}
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// cell defuses text that a spreadsheet would run as a formula: values
// come from span attributes, which anyone who can send spans controls.
func cell(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}

// decodeBody decodes the request's body, one JSON value (what it is, and
// "send one <one>"), into v: unknown fields and a second value are
// refused, and a body over api.max_import_bytes is 413.
func (h *handler) decodeBody(r *http.Request, v any, what, one string) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{class: errTooLarge, msg: fmt.Sprintf("body: larger than api.max_import_bytes (%d bytes)", h.opt.MaxImportBytes)}
		}
		return badf("body: not %s: %s", what, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badf("body: more than one JSON value; send one %s", one)
	}
	return nil
}

// importRecords merges a JSON export from another instance. Records are
// identified by (start, trace id, span id), so importing a file twice, or
// a file that overlaps what is stored, counts nothing twice. The whole
// file is checked before anything is written, as ingest would have made
// its records (usage.Record.Check), and read as a stream: each record is
// decoded, checked and spooled to a temporary file, then the spool is
// written in batches, so an import of any size (up to
// api.max_import_bytes) holds a batch in memory, not the file.
func (h *handler) importRecords(r *http.Request, p *params) (any, error) {
	if err := p.done(); err != nil {
		return nil, err
	}
	spool, err := os.CreateTemp("", "genai-usage-import-*.gob")
	if err != nil {
		return nil, fmt.Errorf("import: spool: %w", err)
	}
	defer func() {
		_ = spool.Close()
		_ = os.Remove(spool.Name())
	}()
	w := bufio.NewWriter(spool)
	enc := gob.NewEncoder(w)
	n, err := h.readExport(r, func(i int, j *recordJSON) error {
		rec, err := fromJSON(j)
		if err == nil {
			err = rec.Check(h.opt.Now())
		}
		if err != nil {
			return badf("records[%d].%s", i, strings.ReplaceAll(err.Error(), "\n", "; records["+strconv.Itoa(i)+"]."))
		}
		if err := enc.Encode(&rec); err != nil {
			return fmt.Errorf("import: spool: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("import: spool: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("import: spool: %w", err)
	}
	dec := gob.NewDecoder(bufio.NewReader(spool))
	batch := make([]usage.Record, 0, importBatch)
	inserted := 0
	for read := 0; read < n; {
		batch = batch[:0]
		for ; read < n && len(batch) < importBatch; read++ {
			batch = append(batch, usage.Record{})
			if err := dec.Decode(&batch[len(batch)-1]); err != nil {
				return nil, fmt.Errorf("import: spool: %w", err)
			}
		}
		k, err := h.s.Write(r.Context(), batch, nil)
		if err != nil {
			// Batches already written stay: a retry of the same file
			// skips them.
			return nil, err
		}
		inserted += k
	}
	return struct {
		Records  int `json:"records"`
		Inserted int `json:"inserted"`
	}{n, inserted}, nil
}

// readExport reads an export file from the request's body as a stream:
// its header fields, then each record, handed to fn with its index. It
// returns the number of records; an unknown field, a second JSON value, a
// header that is not an export's or a body over api.max_import_bytes is
// an error.
func (h *handler) readExport(r *http.Request, fn func(i int, j *recordJSON) error) (int, error) {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	fail := func(err error) error {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{class: errTooLarge, msg: fmt.Sprintf("body: larger than api.max_import_bytes (%d bytes)", h.opt.MaxImportBytes)}
		}
		return badf("body: not an export file: %s", err)
	}
	delim := func(want json.Delim) error {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if tok != want {
			return badf("body: not an export file: %v where %v was expected", tok, want)
		}
		return nil
	}
	if err := delim('{'); err != nil {
		return 0, err
	}
	var hdr exportHeader
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return n, fail(err)
		}
		key, _ := tok.(string)
		var target any
		switch key {
		case "format":
			target = &hdr.Format
		case "version":
			target = &hdr.Version
		case "exported_at":
			target = &hdr.ExportedAt
		case "from":
			target = &hdr.From
		case "to":
			target = &hdr.To
		case "records":
			if err := delim('['); err != nil {
				return n, err
			}
			for dec.More() {
				var j recordJSON
				if err := dec.Decode(&j); err != nil {
					return n, fail(fmt.Errorf("records[%d]: %w", n, err))
				}
				if err := fn(n, &j); err != nil {
					return n, err
				}
				n++
			}
			if err := delim(']'); err != nil {
				return n, err
			}
			continue
		default:
			return n, badf("body: not an export file: unknown field %q", key)
		}
		if err := dec.Decode(target); err != nil {
			return n, fail(fmt.Errorf("%s: %w", key, err))
		}
	}
	if err := delim('}'); err != nil {
		return n, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return n, badf("body: more than one JSON value; send one export file")
	}
	if hdr.Format != exportFormat || hdr.Version != 1 {
		return n, badf("body: format %q version %d; want %q version 1 (from GET %sexport?format=json)", hdr.Format, hdr.Version, exportFormat, Prefix)
	}
	return n, nil
}
