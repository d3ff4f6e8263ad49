package store

import (
	"time"

	"go.uber.org/zap"
)

// OpenOption configures how a backend opens its store.
type OpenOption func(*OpenOptions)

// OpenOptions are the options of a backend's Open.
type OpenOptions struct {
	// Logger tells of the schema migrations Open applies: some rewrite
	// every record, and a large store's first start after an upgrade
	// takes a while. Nil logs nothing.
	Logger *zap.Logger
}

// WithLogger logs the schema migrations Open applies to l.
func WithLogger(l *zap.Logger) OpenOption { return func(o *OpenOptions) { o.Logger = l } }

// Options applies opts.
func Options(opts []OpenOption) OpenOptions {
	var o OpenOptions
	for _, f := range opts {
		f(&o)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o
}

// LogMigrations logs, before a store applies the migrations from schema
// version have to want, that it does so, and returns what to call once
// they are done.
func (o *OpenOptions) LogMigrations(backend string, have, want int) (done func()) {
	if have >= want {
		return func() {}
	}
	start := time.Now()
	o.Logger.Info("Upgrading the usage store's schema; this runs once, and can take a minute or more on a store of millions of records",
		zap.String("backend", backend), zap.Int("from_version", have), zap.Int("to_version", want))
	return func() {
		o.Logger.Info("Upgraded the usage store's schema", zap.String("backend", backend), zap.Int("version", want), zap.Duration("took", time.Since(start)))
	}
}
