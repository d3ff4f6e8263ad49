# otelcol-genai: see README.md.
GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
BUILDER   := $(GOBIN)/builder
OCB_VER   := v0.164.0
LINTER    := $(GOBIN)/golangci-lint
LINT_VER  := v2.15.0
COLLECTOR := _build/otelcol-genai
COST_CLI  := _build/otelcol-genai-cost
PROMTOOL  ?= promtool
FAULTS_TIMEOUT ?= 15m

.PHONY: all build cli run test unit e2e faults fuzz bench loadtest catalog generate lint lint-install rules dashboards

all: build

$(BUILDER):
	$(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VER)

# Build the distribution with the OpenTelemetry Collector Builder, and the
# otelcol-genai-cost command beside it.
build: $(BUILDER)
	$(BUILDER) --config=builder-config.yaml
	$(MAKE) cli

# The otelcol-genai-cost command: check, convert, compare price files and
# price one call from the command line (docs/cli.md).
cli:
	$(GO) build -o $(COST_CLI) ./cmd/otelcol-genai-cost

# Build and run the collector with the embedded defaults.
run: build
	./$(COLLECTOR) --config=config/collector.yaml

# Everything CI runs: vet, unit and golden tests, a short fuzz run, and the
# end-to-end test against the built collector.
test: build
	$(GO) vet ./...
	OTELCOL_GENAI_REQUIRE_E2E=1 OTELCOL_GENAI_REQUIRE_PG=1 OTELCOL_GENAI_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 ./...
	$(MAKE) fuzz

unit:
	$(GO) test ./...

# The end-to-end tests alone, against a fresh build (they skip without it
# under `make unit`; here a missing collector fails them).
e2e: build
	OTELCOL_GENAI_REQUIRE_E2E=1 OTELCOL_GENAI_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 ./e2e/

# The fault suite (e2e/fault*_test.go, docs/reliability.md): the built
# collector killed under load, its PostgreSQL stopped, overloaded, its disk
# filled, its metrics flooded; every call sent is then looked up in the
# store. Needs root (a private PostgreSQL run as postgres, tmpfs mounts) and
# PostgreSQL 15's binaries; with OTELCOL_GENAI_REQUIRE_FAULTS=1 a fault that
# cannot be staged fails instead of skipping. `make test` runs it too when
# OTELCOL_GENAI_FAULTS=1 is set. Each test logs a FAULT line with its figures;
# OTELCOL_GENAI_FAULTS_REPORT=<file> appends them to a file;
# OTELCOL_GENAI_FAULTS_SCALE=N multiplies the calls (raise FAULTS_TIMEOUT).
faults: build
	OTELCOL_GENAI_FAULTS=1 OTELCOL_GENAI_REQUIRE_FAULTS=1 OTELCOL_GENAI_REQUIRE_E2E=1 OTELCOL_GENAI_REQUIRE_PG=1 \
		OTELCOL_GENAI_BIN=$(CURDIR)/$(COLLECTOR) $(GO) test -count=1 -timeout 15m -v -run 'TestFault' ./e2e/

# The Prometheus rules in config/prometheus: syntax, then the promtool unit
# tests (config/prometheus/tests). promtool is in Debian's prometheus
# package; docs/prometheus.md.
rules:
	$(PROMTOOL) check rules config/prometheus/recording.yml config/prometheus/alerts.yml
	$(PROMTOOL) test rules config/prometheus/tests/*.yml

# Regenerate the Grafana dashboards in config/grafana from
# internal/cmd/dashboards (grafana-foundation-sdk); a test there fails when
# the committed JSON is not the generator's output. docs/grafana.md.
dashboards:
	$(GO) run ./internal/cmd/dashboards -out config/grafana

# golangci-lint at the pinned version, installed into GOBIN like the builder;
# reinstalled when the binary there is another version.
lint-install:
	@$(LINTER) version 2>/dev/null | grep -q 'version $(LINT_VER:v%=%) ' || \
		$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(LINT_VER)

# Static checks; the enabled linters and why some checks are off are in
# .golangci.yml.
lint: lint-install
	$(LINTER) run ./...

# Budgets in executions, not seconds: with a duration, Go's fuzzing
# coordinator can report its own deadline as a failure (golang/go#75804,
# not fixed in Go 1.26), which failed CI with no crasher written.
fuzz:
	$(GO) test -run XXX -fuzz FuzzScan -fuzztime 400000x ./internal/normalize/
	$(GO) test -run XXX -fuzz FuzzParseDecimal -fuzztime 150000x ./internal/money/
	$(GO) test -run XXX -fuzz FuzzLoad -fuzztime 20000x ./internal/catalog/
	$(GO) test -run XXX -fuzz FuzzQuery -fuzztime 30000x ./exporter/genaiusageexporter/internal/api/
	$(GO) test -run XXX -fuzz FuzzImport -fuzztime 3000x ./exporter/genaiusageexporter/internal/api/

bench:
	$(GO) test -run XXX -bench . -benchtime 2000x ./processor/genaicostprocessor/
	$(GO) test -run XXX -bench . ./processor/genaicostprocessor/internal/... ./internal/cost/

# Whole-collector load runs; see docs/benchmarks.md.
loadtest: build
	./bench/run.sh

# Regenerate the default pricing catalog from the genai-prices snapshot.
catalog:
	$(GO) run ./internal/cmd/importgenaiprices -in config/pricing/source/genai-prices-data.json \
		-out config/pricing/catalog.yaml -source "npm package @pydantic/genai-prices 0.1.8" -date 2026-09-23

# Regenerate mdatagen code of both components from their metadata.yaml
# (needs mdatagen v0.159.0 on PATH; see docs/development.md).
generate:
	$(GO) generate ./processor/genaicostprocessor/ ./exporter/genaiusageexporter/
