package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// yamlBlock is one ```yaml block of a Markdown file.
type yamlBlock struct {
	where string // file:line
	text  string
}

// markdownYAML returns the ```yaml blocks of the repository's Markdown
// files (those git knows; generated and vendored trees aside).
func markdownYAML(t *testing.T) []yamlBlock {
	t.Helper()
	out, err := exec.Command("git", "-C", repoRoot(), "ls-files", "*.md").Output()
	require.NoError(t, err, "git ls-files")
	var blocks []yamlBlock
	for _, name := range strings.Fields(string(out)) {
		f, err := os.Open(filepath.Join(repoRoot(), name))
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		var (
			in    bool
			start int
			text  strings.Builder
		)
		for line := 1; sc.Scan(); line++ {
			switch l := sc.Text(); {
			case !in && l == "```yaml":
				in, start = true, line
				text.Reset()
			case in && l == "```":
				in = false
				blocks = append(blocks, yamlBlock{fmt.Sprintf("%s:%d", name, start), text.String()})
			case in:
				text.WriteString(l + "\n")
			}
		}
		require.NoError(t, sc.Err())
		require.NoError(t, f.Close())
		require.False(t, in, "%s: a ```yaml block is not closed", name)
	}
	return blocks
}

// collectorSections are the top-level keys of a collector configuration.
var collectorSections = []string{"receivers", "processors", "exporters", "extensions", "connectors", "service"}

// envRef is a ${env:NAME} reference, which the collector expands.
var envRef = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)

// sampleEnv gives every ${env:...} of text a value, as an operator would:
// a DSN for the names that say DSN, a secret-like string for the others.
func sampleEnv(text string) []string {
	var env []string
	for _, m := range envRef.FindAllStringSubmatch(text, -1) {
		v := "sample-" + strings.ToLower(m[1])
		if strings.Contains(m[1], "DSN") {
			v = "postgres://user:pass@127.0.0.1:5432/usage?sslmode=disable"
		}
		env = append(env, m[1]+"="+v)
	}
	return env
}

// wholeConfig completes a snippet that configures some components into a
// configuration the collector can validate: an OTLP receiver, the nop
// exporter when the snippet has no exporter, and a traces pipeline of the
// snippet's processors and exporters, with its extensions enabled.
func wholeConfig(snippet map[string]any) map[string]any {
	if _, ok := snippet["service"]; ok {
		return snippet
	}
	conf := map[string]any{
		"receivers": map[string]any{"otlp": map[string]any{"protocols": map[string]any{"http": map[string]any{"endpoint": "127.0.0.1:0"}}}},
	}
	for _, k := range collectorSections {
		if v, ok := snippet[k]; ok {
			conf[k] = v
		}
	}
	names := func(section string) []string {
		m, _ := conf[section].(map[string]any)
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	exporters := names("exporters")
	if len(exporters) == 0 {
		conf["exporters"] = map[string]any{"nop": nil}
		exporters = []string{"nop"}
	}
	processors := names("processors")
	if len(processors) == 0 { // the genai_usage exporter reads what genai_cost writes
		processors = nil
	}
	conf["service"] = map[string]any{
		"extensions": names("extensions"),
		"pipelines":  map[string]any{"traces": map[string]any{"receivers": names("receivers"), "processors": processors, "exporters": exporters}},
	}
	return conf
}

// docsCatalog is the path the docs give a pricing file; the test puts the
// catalog example of docs/pricing.md there, so that it is loaded too.
const docsCatalog = "/etc/otelcol-genai/prices.yaml"

// docsRates is the path the docs give an ECB rates file; the test puts
// internal/fx's excerpt of one there.
const docsRates = "/etc/otelcol-genai/eurofxref-hist.csv"

// validate runs the built collector's validate command on a configuration.
func validate(t *testing.T, bin, where, text string) {
	t.Helper()
	if strings.Contains(text, docsCatalog) {
		var catalog string
		for _, b := range markdownYAML(t) {
			if strings.HasPrefix(b.where, "docs/pricing.md:") && strings.HasPrefix(b.text, "catalog_version:") {
				catalog = b.text
			}
		}
		require.NotEmpty(t, catalog, "docs/pricing.md has a catalog example")
		file := filepath.Join(t.TempDir(), "prices.yaml")
		require.NoError(t, os.WriteFile(file, []byte(catalog), 0o600))
		text = strings.ReplaceAll(text, docsCatalog, file)
	}
	text = strings.ReplaceAll(text, docsRates, filepath.Join(repoRoot(), "internal", "fx", "testdata", "eurofxref-hist.csv"))
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	cmd := exec.Command(bin, "validate", "--config="+path)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), sampleEnv(text)...)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "%s: the collector refuses it:\n%s\n%s", where, out, text)
}

// TestDocumentedConfigs holds every configuration shown to users to the
// collector: each ```yaml block of the Markdown parses, and each that
// configures the collector (a section of receivers, processors, exporters,
// extensions or service), completed into a whole configuration, passes the
// built collector's `validate`, with its ${env:...} references set; so
// does config/collector.yaml with its commented examples turned on.
func TestDocumentedConfigs(t *testing.T) {
	bin := collectorBinary(t)
	validated := 0
	for _, b := range markdownYAML(t) {
		var snippet map[string]any
		if err := yaml.Unmarshal([]byte(b.text), &snippet); !assert.NoError(t, err, "%s does not parse:\n%s", b.where, b.text) {
			continue
		}
		if !slices.ContainsFunc(collectorSections, func(k string) bool { _, ok := snippet[k]; return ok }) {
			continue // a catalog, a Prometheus or Grafana file, a budget: their own tests read them
		}
		whole, err := yaml.Marshal(wholeConfig(snippet))
		require.NoError(t, err)
		validate(t, bin, b.where, string(whole))
		validated++
	}
	assert.GreaterOrEqual(t, validated, 8, "the docs' collector configurations were found")

	// The shipped configuration, and the same with every commented example
	// line of the exporter ("# key: value" at the indentation of a key)
	// turned on.
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "config", "collector.yaml"))
	require.NoError(t, err)
	validate(t, bin, "config/collector.yaml", string(raw))
	example := regexp.MustCompile(`(?m)^(\s+)# ([a-z_]+: .*)$`)
	on := example.ReplaceAllString(string(raw), "$1$2")
	require.NotEqual(t, string(raw), on, "config/collector.yaml has commented examples")
	validate(t, bin, "config/collector.yaml, examples on", on)
}
