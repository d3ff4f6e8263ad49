package genaicostprocessor // import "github.com/otelcol-genai/otelcol-genai/processor/genaicostprocessor"

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/otelcol-genai/otelcol-genai/internal/catalog"
	"github.com/otelcol-genai/otelcol-genai/internal/normalize"
)

// maxResolved bounds the resolution cache; past it the cache starts over,
// so that spans naming endless distinct models cannot hold memory.
const maxResolved = 10_000

// resolveKey is what a resolution depends on.
type resolveKey struct {
	providers     [3]string
	response, req string
	server        string
}

// resolver maps the names on a span to a priced model, through the aliases
// and the catalog, and caches the answer: a span stream names few models.
type resolver struct {
	cat       *catalog.Catalog
	models    map[string]string // lower-case alias -> model id
	providers map[string]string // lower-case alias -> provider id

	// cache is read without locks. A stream of ever new model names (a
	// bug or hostile input) costs one catalog lookup each and, past
	// maxResolved entries, clears the cache: never more than that.
	cache sync.Map // resolveKey -> *catalog.Resolution
	size  atomic.Int64
}

func newResolver(cat *catalog.Catalog, a AliasesConfig) *resolver {
	r := &resolver{cat: cat, models: map[string]string{}, providers: map[string]string{}}
	for k, v := range a.Models {
		r.models[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	for k, v := range a.Providers {
		r.providers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return r
}

func (r *resolver) resolve(c *normalize.Call) *catalog.Resolution {
	k := resolveKey{response: c.ResponseModel, req: c.RequestModel}
	copy(k.providers[:], c.Providers[:c.NProv])
	if c.NProv == 0 {
		k.server = c.Server
	}
	if res, ok := r.cache.Load(k); ok {
		return res.(*catalog.Resolution)
	}
	res := r.lookup(c)
	if r.size.Add(1) > maxResolved {
		r.cache.Clear()
		r.size.Store(1)
	}
	r.cache.Store(k, res)
	return res
}

// lookup resolves the response model, else the request model; a response
// model the catalog does not know falls back to the request model.
func (r *resolver) lookup(c *normalize.Call) *catalog.Resolution {
	q := catalog.Query{Server: c.Server}
	for _, p := range c.Providers[:c.NProv] {
		if alias, ok := r.providers[strings.ToLower(strings.TrimSpace(p))]; ok {
			p = alias
		}
		q.Providers = append(q.Providers, p)
	}
	var res catalog.Resolution
	for _, m := range [...]string{c.ResponseModel, c.RequestModel} {
		if m == "" {
			continue
		}
		if alias, ok := r.models[strings.ToLower(m)]; ok {
			m = alias
		}
		q.Model = m
		res = r.cat.Resolve(q)
		if res.Model != nil {
			break
		}
	}
	if q.Model == "" {
		res = r.cat.Resolve(q)
	}
	return &res
}
