package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/budgets"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/sqlite"
	"github.com/otelcol-genai/otelcol-genai/exporter/genaiusageexporter/internal/store/storetest"
	"github.com/otelcol-genai/otelcol-genai/internal/budget"
	"github.com/otelcol-genai/otelcol-genai/internal/meter"
	"github.com/otelcol-genai/otelcol-genai/internal/money"
	"github.com/otelcol-genai/otelcol-genai/internal/usage"
)

// These tests hold docs/api/openapi.yaml to the code: the routes, the
// query parameters each route accepts (asked of the real handler), their
// allowed values, defaults and limits, the response shapes (real answers
// validated against the documented schemas, and the schemas compared with
// the JSON structs), and the CSV columns. Adding a route, a parameter or a
// field without documenting it fails here.

const openAPIFile = "../../../../docs/api/openapi.yaml"

// A minimal model of the OpenAPI document: what the checks read.

type oaDoc struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Security   []map[string][]string           `yaml:"security"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type   string `yaml:"type"`
			Scheme string `yaml:"scheme"`
		} `yaml:"securitySchemes"`
		Parameters map[string]*oaParam  `yaml:"parameters"`
		Schemas    map[string]*oaSchema `yaml:"schemas"`
	} `yaml:"components"`

	ops          []oaOp          // the operations, decoded from Paths
	undocumented map[string]bool // what validate reported
}

var oaIndex = regexp.MustCompile(`\[\d+\]`)

type oaOp struct {
	doc          *oaDoc
	method, path string     // "GET", "/api/v1/usage/summary"
	Parameters   []*oaParam `yaml:"parameters"`
	Responses    map[string]struct {
		Content map[string]struct {
			Schema *oaSchema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"responses"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *oaSchema `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"requestBody"`
}

type oaParam struct {
	Ref      string    `yaml:"$ref"`
	Name     string    `yaml:"name"`
	In       string    `yaml:"in"`
	Required bool      `yaml:"required"`
	Schema   *oaSchema `yaml:"schema"`
	Example  any       `yaml:"example"`
}

type oaSchema struct {
	Ref                  string      `yaml:"$ref"`
	Type                 string      `yaml:"type"`
	Format               string      `yaml:"format"`
	Pattern              string      `yaml:"pattern"`
	Enum                 []any       `yaml:"enum"`
	Default              any         `yaml:"default"`
	Minimum              *int        `yaml:"minimum"`
	Maximum              *int        `yaml:"maximum"`
	Nullable             bool        `yaml:"nullable"`
	Required             []string    `yaml:"required"`
	Properties           oaProps     `yaml:"properties"`
	AdditionalProperties *oaSchema   `yaml:"additionalProperties"`
	Items                *oaSchema   `yaml:"items"`
	AllOf                []*oaSchema `yaml:"allOf"`
	Example              any         `yaml:"example"`
}

// oaProps keeps the properties in document order (the CSV columns are).
type oaProps struct {
	names  []string
	byName map[string]*oaSchema
}

func (p *oaProps) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: properties is not a mapping", n.Line)
	}
	p.byName = map[string]*oaSchema{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		s := new(oaSchema)
		if err := n.Content[i+1].Decode(s); err != nil {
			return err
		}
		p.names = append(p.names, n.Content[i].Value)
		p.byName[n.Content[i].Value] = s
	}
	return nil
}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T) *oaDoc {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	require.NoError(t, err)
	d := oaDoc{undocumented: map[string]bool{}}
	require.NoError(t, yaml.Unmarshal(b, &d), openAPIFile)
	for path, item := range d.Paths {
		for key, node := range item {
			if !slices.Contains(oaMethods, key) {
				// Path-level parameters would escape the checks below.
				require.Contains(t, []string{"summary", "description"}, key, "paths.%s: unsupported key %q", path, key)
				continue
			}
			op := oaOp{doc: &d, method: strings.ToUpper(key), path: path}
			require.NoError(t, node.Decode(&op), "%s %s", key, path)
			for i, p := range op.Parameters {
				op.Parameters[i] = d.param(t, p)
			}
			d.ops = append(d.ops, op)
		}
	}
	slices.SortFunc(d.ops, func(a, b oaOp) int { return strings.Compare(a.method+" "+a.path, b.method+" "+b.path) })
	return &d
}

func (d *oaDoc) param(t *testing.T, p *oaParam) *oaParam {
	t.Helper()
	if p.Ref == "" {
		return p
	}
	name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
	require.True(t, ok, "parameter $ref %q", p.Ref)
	q := d.Components.Parameters[name]
	require.NotNil(t, q, "parameter $ref %q is not defined", p.Ref)
	return q
}

// schema follows $refs.
func (d *oaDoc) schema(t *testing.T, s *oaSchema) *oaSchema {
	t.Helper()
	for s != nil && s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		require.True(t, ok, "schema $ref %q", s.Ref)
		next := d.Components.Schemas[name]
		require.NotNil(t, next, "schema $ref %q is not defined", s.Ref)
		s = next
	}
	return s
}

// flat is a schema with its allOf parts merged.
type flat struct {
	*oaSchema
	names    []string
	props    map[string]*oaSchema
	required []string
	addl     *oaSchema
	enum     []any
	typ      string
}

func (d *oaDoc) flatten(t *testing.T, s *oaSchema) flat {
	t.Helper()
	s = d.schema(t, s)
	f := flat{oaSchema: s, props: map[string]*oaSchema{}, typ: s.Type, enum: s.Enum, addl: s.AdditionalProperties}
	add := func(names []string, props map[string]*oaSchema) {
		for _, n := range names {
			if _, dup := f.props[n]; !dup {
				f.names = append(f.names, n)
			}
			f.props[n] = props[n]
		}
	}
	add(s.Properties.names, s.Properties.byName)
	f.required = append(f.required, s.Required...)
	for _, part := range s.AllOf {
		p := d.flatten(t, part)
		add(p.names, p.props)
		f.required = append(f.required, p.required...)
		f.typ = cmpOr(f.typ, p.typ)
		if f.addl == nil {
			f.addl = p.addl
		}
		if f.enum == nil {
			f.enum = p.enum
		}
		if f.Pattern == "" && p.Pattern != "" || f.Format == "" && p.Format != "" || !f.Nullable && p.Nullable {
			// Keep the part's string constraints too.
			c := *f.oaSchema
			c.Pattern, c.Format, c.Nullable = cmpOr(c.Pattern, p.Pattern), cmpOr(c.Format, p.Format), c.Nullable || p.Nullable
			f.oaSchema = &c
		}
	}
	if f.typ == "" && len(f.names) > 0 {
		f.typ = "object"
	}
	return f
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// validate checks a decoded JSON value (numbers as json.Number) against a
// schema: types, enums, patterns, date formats, required properties, and
// no property that the schema does not name.
func (d *oaDoc) validate(t *testing.T, at string, v any, s *oaSchema) {
	t.Helper()
	f := d.flatten(t, s)
	if v == nil {
		assert.True(t, f.Nullable, "%s: null, but the schema is not nullable", at)
		return
	}
	if f.enum != nil {
		assert.Contains(t, enumStrings(f.enum), fmt.Sprint(v), "%s: not in the documented enum", at)
	}
	switch v := v.(type) {
	case map[string]any:
		if !assert.Equal(t, "object", cmpOr(f.typ, "object"), "%s: an object", at) {
			return
		}
		for _, r := range f.required {
			assert.Contains(t, v, r, "%s: required property %q is missing", at, r)
		}
		for k, x := range v {
			switch {
			case f.props[k] != nil:
				d.validate(t, at+"."+k, x, f.props[k])
			case f.addl != nil:
				d.validate(t, at+"."+k, x, f.addl)
			case len(f.names) > 0:
				// Once per place, not once per array element.
				where := oaIndex.ReplaceAllString(at, "[]") + "." + k
				if !d.undocumented[where] {
					d.undocumented[where] = true
					t.Errorf("%s: property %q is not documented", at, k)
				}
			}
		}
	case []any:
		if !assert.Equal(t, "array", f.typ, "%s: an array", at) {
			return
		}
		for i, x := range v {
			d.validate(t, fmt.Sprintf("%s[%d]", at, i), x, f.Items)
		}
	case string:
		assert.Equal(t, "string", cmpOr(f.typ, "string"), "%s: %q is a string", at, v)
		if f.Pattern != "" {
			assert.Regexp(t, regexp.MustCompile(f.Pattern), v, "%s: documented pattern", at)
		}
		switch f.Format {
		case "date-time":
			_, err := time.Parse(time.RFC3339Nano, v)
			assert.NoError(t, err, "%s: date-time", at)
		case "date":
			_, err := time.Parse(time.DateOnly, v)
			assert.NoError(t, err, "%s: date", at)
		}
	case json.Number:
		switch f.typ {
		case "integer":
			_, err := strconv.ParseInt(string(v), 10, 64)
			assert.NoError(t, err, "%s: %s is an integer", at, v)
		case "number":
		default:
			t.Errorf("%s: %s is a number, documented as %q", at, v, f.typ)
		}
	case bool:
		assert.Equal(t, "boolean", f.typ, "%s: a boolean", at)
	default:
		t.Errorf("%s: unexpected %T", at, v)
	}
}

func enumStrings(enum []any) []string {
	out := make([]string, len(enum))
	for i, e := range enum {
		out[i] = fmt.Sprint(e)
	}
	return out
}

// queryParams are an operation's documented query parameters by name.
func (op *oaOp) queryParams() map[string]*oaParam {
	out := map[string]*oaParam{}
	for _, p := range op.Parameters {
		if p.In == "query" {
			out[p.Name] = p
		}
	}
	return out
}

func (op *oaOp) String() string { return op.method + " " + op.path }

// codeRoutes are the route table's routes, "METHOD /path".
func codeRoutes() []string {
	var out []string
	for _, rt := range routes {
		out = append(out, rt.method+" "+rt.pattern())
	}
	slices.Sort(out)
	return out
}

// codeRoute is the route table's entry of op.
func codeRoute(t *testing.T, op *oaOp) *route {
	t.Helper()
	for i, rt := range routes {
		if rt.method == op.method && rt.pattern() == op.path {
			return &routes[i]
		}
	}
	t.Fatalf("%s is not in the route table", op)
	return nil
}

// oaNow is the API's clock: after the generated records.
var oaNow = storetest.Base.Add(3 * 24 * time.Hour)

// oaHandler is the real handler over a real SQLite store holding
// generated records (two days from storetest.Base), without auth.
func oaHandler(t *testing.T) http.Handler {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usage.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	_, err = s.Write(context.Background(), storetest.Records(5, 400, 48), nil)
	require.NoError(t, err)
	bs, err := budgets.Compile([]budget.Spec{
		{ID: "all-weekly", Period: budget.Period{Kind: budget.Rolling, Days: 7}, Limit: "1", Currency: "USD", Enforce: true},
		{ID: "each-user", Scope: budget.Scope{Each: "user", Dimensions: map[string]string{}}, Period: budget.Period{Kind: budget.Rolling, Days: 7}, Limit: "1000", Currency: "USD"},
	})
	require.NoError(t, err)
	rp := &syncRepricer{s: s}
	_, err = rp.Start(context.Background(), store.RepriceRun{Created: oaNow, Actor: "oa", Reason: "a dry run to list",
		From: storetest.Base, To: storetest.Base.Add(48 * time.Hour), DryRun: true})
	require.NoError(t, err)
	return New(s, Options{Now: func() time.Time { return oaNow }, Budgets: budgets.New(s, &budgets.Managed{Config: bs, Store: s}, 2),
		AdminTokens: []AdminToken{{Name: "oa", Token: oaAdmin}}, Repricer: rp})
}

// syncRepricer runs repricings on a real store to their end before it
// answers; its price adds a nano to every priced call.
type syncRepricer struct{ s store.Store }

func (rp *syncRepricer) Start(ctx context.Context, run store.RepriceRun) (store.RepriceRun, error) {
	if err := rp.s.CreateRepriceRun(ctx, &run); err != nil {
		return run, err
	}
	return rp.Resume(ctx, run.ID)
}

func (rp *syncRepricer) Resume(ctx context.Context, id int64) (store.RepriceRun, error) {
	for {
		run, err := rp.s.RepriceStep(ctx, id, 100, func(r *usage.Record) bool {
			if r.Currency == "" {
				return false
			}
			r.Cost++
			r.CostByMeter = [meter.Count]money.Nanos{}
			return true
		}, oaNow)
		if err != nil || run.Status == store.RepriceDone {
			return run, err
		}
	}
}

func (rp *syncRepricer) Runs(ctx context.Context, p store.Page) ([]store.RepriceRun, int64, error) {
	return rp.s.RepriceRuns(ctx, p)
}

func (rp *syncRepricer) Run(ctx context.Context, id int64) (store.RepriceRun, error) {
	return rp.s.RepriceRunByID(ctx, id)
}

// oaAdmin is oaHandler's admin token, which oaDo sends.
const oaAdmin = "oa-admin-token"

func oaDo(h http.Handler, method, target string, body []byte) *httptest.ResponseRecorder {
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+oaAdmin)
	h.ServeHTTP(rr, req)
	return rr
}

func oaError(t *testing.T, rr *httptest.ResponseRecorder) string {
	t.Helper()
	var env envelope
	require.NoError(t, json.Unmarshal(rr.Body.Bytes(), &env), rr.Body.String())
	assert.Equal(t, "error", env.Status)
	return env.Error
}

// target is an operation's URL: path parameters filled in (id with a
// well-formed record id), required query parameters given a valid value
// unless extra ("name=value") gives them, and extra appended.
func (op *oaOp) target(t *testing.T, id, extra string) string {
	t.Helper()
	path := strings.ReplaceAll(op.path, "{id}", id)
	extraName, _, _ := strings.Cut(extra, "=")
	var q []string
	for _, p := range op.Parameters {
		if p.In == "query" && p.Required && p.Name != extraName {
			q = append(q, p.Name+"="+op.validValue(t, p))
		}
	}
	if extra != "" {
		q = append(q, extra)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + strings.Join(q, "&")
}

func (op *oaOp) validValue(t *testing.T, p *oaParam) string {
	t.Helper()
	switch {
	case p.Example != nil:
		return fmt.Sprint(p.Example)
	case p.Schema != nil && p.Schema.Default != nil:
		return fmt.Sprint(p.Schema.Default)
	}
	require.NotNil(t, p.Schema, "parameter %s has no schema", p.Name)
	s := op.doc.flatten(t, p.Schema)
	require.NotEmpty(t, s.enum, "required parameter %s: give it an example, a default or an enum", p.Name)
	return fmt.Sprint(s.enum[0])
}

const anyID = "1-00000000000000000000000000000001-0000000000000001"

// TestOpenAPIRoutes: the documented operations are exactly the routes
// the package registers, each answers through the real handler, and the
// other method on its path is a 405 that names its method in Allow.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	var documented []string
	for _, op := range doc.ops {
		documented = append(documented, op.String())
	}
	assert.Equal(t, codeRoutes(), documented, "routes in the route table vs paths in %s", openAPIFile)

	h := oaHandler(t)
	for _, op := range doc.ops {
		// (records/{id} may answer 404 for the record, never for the route.)
		rr := oaDo(h, op.method, op.target(t, anyID, ""), nil)
		if rr.Code == http.StatusNotFound {
			assert.NotContains(t, oaError(t, rr), "no route", op.String())
		}
		assert.NotEqual(t, http.StatusMethodNotAllowed, rr.Code, "%s: %s", op.String(), rr.Body.String())

		// A method the path does not take.
		other := http.MethodPatch
		rr = oaDo(h, other, op.target(t, anyID, ""), nil)
		assert.Equal(t, http.StatusMethodNotAllowed, rr.Code, "%s on %s", other, op.path)
		assert.Contains(t, rr.Header().Get("Allow"), op.method, "%s on %s", other, op.path)

		// Every operation documents its error answers.
		ok := "200"
		if _, starts := op.Responses["202"]; starts {
			ok = "202" // starts work: nothing to conflict with
		}
		want := []string{ok, "400", "401", "500", "503"}
		if strings.Contains(op.path, "{") {
			want = append(want, "404")
		}
		if codeRoute(t, &op).body {
			want = append(want, "413")
		}
		if codeRoute(t, &op).admin != nil {
			want = append(want, "403")
			if op.method != http.MethodGet && ok == "200" {
				want = append(want, "409")
			}
		}
		for _, code := range want {
			assert.Contains(t, op.Responses, code, "%s documents %s", op.String(), code)
		}
		// Path templates and path parameters agree.
		var inPath []string
		for _, p := range op.Parameters {
			if p.In == "path" {
				inPath = append(inPath, "{"+p.Name+"}")
				assert.True(t, p.Required, "%s: path parameter %s is required", op.String(), p.Name)
			}
		}
		assert.ElementsMatch(t, regexp.MustCompile(`\{[^}]+\}`).FindAllString(op.path, -1), inPath, op.String())
	}
	rr := oaDo(h, http.MethodGet, Prefix+"no-such-route", nil)
	assert.Equal(t, http.StatusNotFound, rr.Code)

	sec, ok := doc.Components.SecuritySchemes["bearerAuth"]
	require.True(t, ok, "securitySchemes.bearerAuth")
	assert.Equal(t, "http", sec.Type)
	assert.Equal(t, "bearer", sec.Scheme)
	assert.Contains(t, doc.Security, map[string][]string{"bearerAuth": {}})
}

// TestOpenAPIParameters: for every operation, the documented query
// parameters are those of its entry in the route table (which the handler
// reads, no more, no less: params.done checks), and another is a 400;
// enums, defaults and integer limits are what the handler enforces.
func TestOpenAPIParameters(t *testing.T) {
	doc := loadOpenAPI(t)
	h := oaHandler(t)
	for _, op := range doc.ops {
		t.Run(op.String(), func(t *testing.T) {
			rr := oaDo(h, op.method, op.target(t, anyID, "zz_undocumented=1"), nil)
			require.Equal(t, http.StatusBadRequest, rr.Code, rr.Body.String())
			assert.Contains(t, oaError(t, rr), "unknown parameter zz_undocumented")
			accepted := slices.Sorted(slices.Values(codeRoute(t, &op).params))
			var documented []string
			seen := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					assert.False(t, seen[p.Name], "query parameter %s documented twice", p.Name)
					seen[p.Name] = true
					documented = append(documented, p.Name)
				}
			}
			slices.Sort(documented)
			assert.Equal(t, accepted, documented, "query parameters the handler takes vs documented")

			for name, p := range op.queryParams() {
				require.NotNil(t, p.Schema, "parameter %s has no schema", name)
				s := doc.flatten(t, p.Schema)
				// Every documented value is accepted; another is a 400 naming the parameter.
				for _, v := range s.enum {
					rr := oaDo(h, op.method, op.target(t, anyID, name+"="+fmt.Sprint(v)), nil)
					assert.NotEqual(t, http.StatusBadRequest, rr.Code, "%s=%v: %s", name, v, rr.Body.String())
				}
				if s.enum != nil {
					rr := oaDo(h, op.method, op.target(t, anyID, name+"=zz-not-a-value"), nil)
					assert.Equal(t, http.StatusBadRequest, rr.Code, "%s=zz-not-a-value", name)
					assert.Contains(t, oaError(t, rr), name+":")
				}
				if s.typ == "integer" {
					if s.Minimum != nil {
						oaBound(t, h, &op, name, *s.Minimum, *s.Minimum-1)
					}
					if s.Maximum != nil {
						oaBound(t, h, &op, name, *s.Maximum, *s.Maximum+1)
					}
				}
			}
		})
	}

	// The by= values are the code's breakdown keys; the statuses its statuses.
	for _, name := range []string{"seriesBy", "breakdownBy", "cacheBy"} {
		p := doc.Components.Parameters[name]
		require.NotNil(t, p, name)
		assert.Equal(t, breakdownKeys, enumStrings(doc.flatten(t, p.Schema).enum), name)
	}
	assert.Equal(t, breakdownKeys, enumStrings(doc.Components.Schemas["BreakdownKey"].Enum))
	assert.Equal(t, statuses, enumStrings(doc.flatten(t, doc.Components.Parameters["status"].Schema).enum))
	assert.Equal(t, statuses, enumStrings(doc.Components.Schemas["Status"].Enum))
}

// oaBound checks that an integer parameter takes ok and refuses bad.
func oaBound(t *testing.T, h http.Handler, op *oaOp, name string, ok, bad int) {
	t.Helper()
	rr := oaDo(h, op.method, op.target(t, anyID, name+"="+strconv.Itoa(ok)), nil)
	assert.NotEqual(t, http.StatusBadRequest, rr.Code, "%s=%d: %s", name, ok, rr.Body.String())
	rr = oaDo(h, op.method, op.target(t, anyID, name+"="+strconv.Itoa(bad)), nil)
	assert.Equal(t, http.StatusBadRequest, rr.Code, "%s=%d", name, bad)
	assert.Contains(t, oaError(t, rr), name+":")
}

// TestOpenAPIResponses validates real answers, over generated records,
// against the documented schemas, and checks that the answers echo the
// documented defaults.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	h := oaHandler(t)
	ops := map[string]*oaOp{}
	for i := range doc.ops {
		ops[doc.ops[i].String()] = &doc.ops[i]
	}
	decode := func(b []byte) any {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		require.NoError(t, dec.Decode(&v), string(b))
		return v
	}
	check := func(op *oaOp, target string, body []byte) any {
		t.Helper()
		rr := oaDo(h, op.method, target, body)
		require.Equal(t, http.StatusOK, rr.Code, "%s: %s", target, rr.Body.String())
		ct := rr.Header().Get("Content-Type")
		content, ok := op.Responses["200"].Content[ct]
		require.True(t, ok, "%s: the 200 answer's Content-Type %q is not documented", target, ct)
		if !strings.HasPrefix(ct, "application/json") {
			return nil
		}
		v := decode(rr.Body.Bytes())
		doc.validate(t, target, v, content.Schema)
		return v
	}

	var recordsPage map[string]any
	for _, op := range doc.ops {
		if op.method != http.MethodGet || strings.Contains(op.path, "{") {
			continue
		}
		// With only required parameters, the answer echoes the defaults.
		v, _ := check(&op, op.target(t, anyID, ""), nil).(map[string]any)
		data, _ := v["data"].(map[string]any)
		if data == nil {
			continue
		}
		for name, p := range op.queryParams() {
			if p.Schema == nil {
				continue
			}
			def := doc.flatten(t, p.Schema).Default
			if got, echoed := data[name]; echoed && def != nil {
				assert.Equal(t, fmt.Sprint(def), fmt.Sprint(got), "%s: the default of %s", op.String(), name)
			}
		}
		if strings.HasSuffix(op.path, "/records") {
			recordsPage = data
		}
	}
	op := func(key string) *oaOp {
		t.Helper()
		require.Contains(t, ops, key)
		return ops[key]
	}
	// Split series, an other group, a page, records/{id}, both exports,
	// an import.
	check(op("GET "+Prefix+"timeseries"), Prefix+"timeseries?by=user&grain=hour", nil)
	check(op("GET "+Prefix+"breakdown"), Prefix+"breakdown?by=model&limit=1", nil)
	check(op("GET "+Prefix+"cache"), Prefix+"cache?by=session&limit=1", nil)
	check(op("GET "+Prefix+"records"), Prefix+"records?limit=3&offset=2&q=alice", nil)
	require.NotNil(t, recordsPage)
	recs, _ := recordsPage["records"].([]any)
	require.NotEmpty(t, recs)
	id := recs[0].(map[string]any)["id"].(string)
	check(op("GET "+Prefix+"records/{id}"), Prefix+"records/"+id, nil)
	check(op("GET "+Prefix+"records/{id}/pricing"), Prefix+"records/"+id+"/pricing", nil)

	exportOp := op("GET " + Prefix + "export")
	rr := oaDo(h, http.MethodGet, Prefix+"export?format=json", nil)
	require.Equal(t, http.StatusOK, rr.Code)
	file := rr.Body.Bytes()
	doc.validate(t, "export.json", decode(file), exportOp.Responses["200"].Content["application/json"].Schema)
	check(exportOp, Prefix+"export?format=csv", nil)

	importOp := op("POST " + Prefix + "import")
	require.NotNil(t, importOp.RequestBody)
	doc.validate(t, "import body", decode(file), importOp.RequestBody.Content["application/json"].Schema)
	v := check(importOp, Prefix+"import", file)
	assert.Equal(t, json.Number("0"), v.(map[string]any)["data"].(map[string]any)["inserted"], "everything was stored already")

	check(op("GET /api/v1/budgets/{id}"), "/api/v1/budgets/each-user", nil)
	v = check(op("GET /api/v1/budgets/check"), "/api/v1/budgets/check?user=u-1&tenant=acme", nil)
	assert.Equal(t, false, v.(map[string]any)["data"].(map[string]any)["allowed"], "all-weekly is enforced and exhausted")

	// The budget changes and their audit.
	spec := []byte(`{"id":"api-daily","scope":{"dimensions":{"tenant":"acme"}},"period":{"kind":"day","time_zone":"Europe/Berlin"},"limit":"5","currency":"USD"}`)
	check(op("POST /api/v1/budgets"), "/api/v1/budgets", spec)
	v = check(op("PUT /api/v1/budgets/{id}"), "/api/v1/budgets/api-daily", spec)
	assert.Equal(t, json.Number("2"), v.(map[string]any)["data"].(map[string]any)["version"])
	v = check(op("GET /api/v1/budgets"), "/api/v1/budgets", nil)
	assert.Len(t, v.(map[string]any)["data"].(map[string]any)["budgets"], 3, "two configured, one stored")
	check(op("DELETE /api/v1/budgets/{id}"), "/api/v1/budgets/api-daily", nil)
	v = check(op("GET /api/v1/budgets/audit"), "/api/v1/budgets/audit", nil)
	assert.Len(t, v.(map[string]any)["data"].(map[string]any)["entries"], 3)
	rr = oaDo(h, http.MethodPut, "/api/v1/budgets/all-weekly", spec)
	assert.Equal(t, http.StatusBadRequest, rr.Code, "the body's id is not the path's")
	rr = oaDo(h, http.MethodDelete, "/api/v1/budgets/all-weekly", nil)
	assert.Equal(t, http.StatusConflict, rr.Code)
	doc.validate(t, "409", decode(rr.Body.Bytes()), doc.Components.Schemas["Error"])

	// Errors: the envelope, 401 with its challenge.
	rr = oaDo(h, http.MethodGet, Prefix+"summary?limit=1", nil)
	doc.validate(t, "400", decode(rr.Body.Bytes()), doc.Components.Schemas["Error"])
	authed := New(nil, Options{BearerTokens: []string{"t"}})
	rr = oaDo(authed, http.MethodGet, Prefix+"summary", nil)
	assert.Equal(t, http.StatusUnauthorized, rr.Code)
	assert.Equal(t, `Bearer realm="genai_usage"`, rr.Header().Get("WWW-Authenticate"))
	doc.validate(t, "401", decode(rr.Body.Bytes()), doc.Components.Schemas["Error"])
}

// jsonNames are a struct's JSON field names, embedded structs flattened.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			out = append(out, jsonNames(ft)...)
			continue
		}
		if name != "-" && f.IsExported() {
			out = append(out, cmpOr(name, f.Name))
		}
	}
	return out
}

func oaField(t *testing.T, typ reflect.Type, name string) reflect.Type {
	t.Helper()
	f, ok := typ.FieldByName(name)
	require.True(t, ok, "%s.%s", typ, name)
	return f.Type
}

// TestOpenAPISchemas compares the documented schemas with the structs the
// API encodes, and the token schemas with the meters.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	props := func(name string) []string {
		s := doc.Components.Schemas[name]
		require.NotNil(t, s, "schemas.%s", name)
		return doc.flatten(t, s).names
	}
	for name, v := range map[string]any{
		"Range":            rangeJSON{},
		"Aggregate":        aggregateJSON{},
		"Point":            pointJSON{},
		"Group":            groupJSON{},
		"Day":              dayJSON{},
		"Intervals":        intervalsJSON{},
		"IntervalBucket":   reflect.Zero(oaField(t, reflect.TypeFor[intervalsJSON](), "Buckets").Elem()).Interface(),
		"Record":           recordJSON{},
		"ExportHeader":     exportHeader{},
		"BudgetSpend":      spendJSON{},
		"BudgetValue":      valueJSON{},
		"BudgetStatus":     budgetStatusJSON{},
		"Forecast":         forecastJSON{},
		"Window":           windowJSON{},
		"BudgetCheckLine":  checkLineJSON{},
		"BudgetTightest":   tightestJSON{},
		"StoredBudget":     storedBudgetJSON{},
		"BudgetAuditEntry": auditEntryJSON{},
		"PriceCard":        cardJSON{},
		"PricingLine":      lineJSON{},
		"Rate":             rateJSON{},
	} {
		assert.ElementsMatch(t, jsonNames(reflect.TypeOf(v)), props(name), "schemas.%s vs %T", name, v)
	}
	assert.ElementsMatch(t, append(jsonNames(reflect.TypeFor[exportHeader]()), "records"), props("ExportFile"))
	assert.Equal(t, []any{exportFormat}, doc.Components.Schemas["ExportHeader"].Properties.byName["format"].Enum)

	var meters, tokenMeters []string
	for m := meter.Meter(0); m < meter.Count; m++ {
		meters = append(meters, m.String())
		if m != meter.Request {
			tokenMeters = append(tokenMeters, m.String())
		}
	}
	assert.Equal(t, tokenMeters, props("TokenCounts"), "TokenCounts: every meter but request, in meter order")
	assert.ElementsMatch(t, meters, props("RecordTokens"), "RecordTokens: every meter")
	assert.Equal(t, []any{"not_enough_data", "5m", "1h", "none"}, doc.flatten(t, doc.Components.Schemas["Intervals"]).props["suggestion"].Enum)
	for _, s := range []string{suggestTTL(0, 0, 0), suggestTTL(0.9, 0.9, 100), suggestTTL(0.1, 0.9, 100), suggestTTL(0.1, 0.2, 100)} {
		assert.Contains(t, enumStrings(doc.Components.Schemas["Intervals"].Properties.byName["suggestion"].Enum), s)
	}
}

// TestOpenAPICSVColumns: CsvRow lists the CSV export's columns in order,
// and the documented example is the header the export writes.
func TestOpenAPICSVColumns(t *testing.T) {
	doc := loadOpenAPI(t)
	require.NotNil(t, doc.Components.Schemas["CsvRow"])
	assert.Equal(t, csvColumns(), doc.Components.Schemas["CsvRow"].Properties.names, "schemas.CsvRow: the columns in order")

	h := oaHandler(t)
	rr := oaDo(h, http.MethodGet, Prefix+"export?format=csv", nil)
	require.Equal(t, http.StatusOK, rr.Code)
	header, _, _ := strings.Cut(rr.Body.String(), "\n")
	assert.Equal(t, strings.Join(csvColumns(), ","), header)
	assert.Equal(t, header+"\n", oaCSVExample(t), "the documented CSV example is the header the export writes")
}

// oaCSVExample is the example of the export's text/csv answer.
func oaCSVExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	require.NoError(t, err)
	var raw struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Example string `yaml:"example"`
				} `yaml:"content"`
			} `yaml:"responses"`
		} `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(b, &raw))
	for ct, c := range raw.Paths[Prefix+"export"]["get"].Responses["200"].Content {
		if strings.HasPrefix(ct, "text/csv") {
			return c.Example
		}
	}
	t.Fatal("no text/csv answer documented for export")
	return ""
}

// docRoute is a route named in the user's guide.
var docRoute = regexp.MustCompile(`/api/v1/(usage/[a-z_/{}]+|budgets[a-z_/{}]*)`)

// curlMethod is the method of a curl command line: -X POST, -X PUT, ...
var curlMethod = regexp.MustCompile(`-X ([A-Z]+)`)

// TestUsageDocRoutes: the routes docs/usage.md shows are the route table's
// (records/{id} aside, which it does not show), budgets' included; a line with "-X POST"
// (PUT, DELETE) shows a POST (PUT, DELETE).
func TestUsageDocRoutes(t *testing.T) {
	b, err := os.ReadFile("../../../../docs/usage.md")
	require.NoError(t, err)
	var shown []string
	for line := range strings.Lines(string(b)) {
		method := http.MethodGet
		if m := curlMethod.FindStringSubmatch(line); m != nil {
			method = m[1]
		}
		for _, m := range docRoute.FindAllStringSubmatch(line, -1) {
			if r := method + " /api/v1/" + m[1]; !slices.Contains(shown, r) {
				shown = append(shown, r)
			}
		}
	}
	slices.Sort(shown)
	var want []string
	for _, r := range codeRoutes() {
		if !strings.HasSuffix(r, "records/{id}") {
			want = append(want, r)
		}
	}
	assert.Equal(t, want, shown, "routes in the route table vs docs/usage.md")
}
