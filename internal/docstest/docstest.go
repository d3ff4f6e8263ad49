// Package docstest holds the configuration examples in the Markdown docs to
// the code, for the components' tests: it reads a YAML block under a heading
// of a document and lists the option keys a config struct has, so that a
// test can prove an example parses, validates and names every option.
package docstest

import (
	"bufio"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"
)

// module prefixes the packages whose config structs are this project's own.
const module = "github.com/otelcol-genai/otelcol-genai/"

// CheckREADME holds a component's README.md to its code. The YAML blocks
// under "## Minimal configuration" and "## Full configuration" configure the
// component at section (for example "processors") and key typ; both load
// over newDefault() and validate, the full one is exactly the default
// configuration and names every option of the component's own (see
// OptionKeys), and the status table gives the traces stability.
func CheckREADME(t *testing.T, newDefault func() component.Config, section string, typ component.Type, traces component.StabilityLevel) {
	t.Helper()
	const file = "README.md"

	cfg := newDefault()
	Component(t, file, "## Minimal configuration", cfg, section, typ.String())
	require.NoError(t, confmap.Validate(cfg), "the minimal configuration")

	cfg = newDefault()
	keys := Component(t, file, "## Full configuration", cfg, section, typ.String())
	require.NoError(t, confmap.Validate(cfg), "the full configuration")
	EmptyToNil(cfg)
	assert.Equal(t, newDefault(), cfg, "the full configuration in %s shows the defaults", file)
	assert.Subset(t, keys, OptionKeys(cfg, module), "the full configuration in %s names every option", file)

	readme, err := os.ReadFile(file)
	require.NoError(t, err)
	stability := regexp.QuoteMeta(strings.ToLower(traces.String()))
	assert.Regexp(t, `\| Stability +\| `+stability+`: traces +\|`, string(readme), "the status table in %s", file)
}

// Component reads the YAML block after heading in file, unmarshals the
// section at path (for example "processors", "genai_cost") into cfg as the
// collector does, and returns the keys the section sets (see Keys). An empty
// section (`genai_cost:`) leaves cfg as it is.
func Component(t testing.TB, file, heading string, cfg any, path ...string) []string {
	t.Helper()
	m := YAMLBlock(t, file, heading)
	for i, k := range path {
		v, ok := m[k]
		if !ok {
			t.Fatalf("%s: the block after %q has no %s", file, heading, strings.Join(path[:i+1], "."))
		}
		m, _ = v.(map[string]any)
	}
	if err := confmap.NewFromStringMap(m).Unmarshal(cfg); err != nil {
		t.Fatalf("%s: the block after %q: %s: %v", file, heading, strings.Join(path, "."), err)
	}
	return Keys(m)
}

// YAMLBlock returns the first ```yaml block after the line heading (for
// example "## Full configuration") of the Markdown file, decoded.
func YAMLBlock(t testing.TB, file, heading string) map[string]any {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // read only
	var (
		block            strings.Builder
		found, in, ended bool
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() && !ended {
		line := sc.Text()
		switch {
		case !found:
			found = line == heading
		case !in:
			in = line == "```yaml"
		case line == "```":
			ended = true
		default:
			block.WriteString(line)
			block.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !ended {
		t.Fatalf("%s: no ```yaml block after %q", file, heading)
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(block.String()), &m); err != nil {
		t.Fatalf("%s: the block after %q: %v", file, heading, err)
	}
	return m
}

// Keys returns the dotted path of every key of a decoded YAML map, the keys
// of nested maps included (pricing, pricing.files, ...).
func Keys(m map[string]any) []string {
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			out = append(out, prefix+k)
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", m)
	slices.Sort(out)
	return out
}

// OptionKeys returns the dotted mapstructure path of every option of the
// config struct cfg points to. It goes into the structs of packages under
// module (the component's own option groups) and not into others
// (confighttp, exporterhelper: their options are documented upstream), whose
// own key, if they have one, is listed.
func OptionKeys(cfg any, module string) []string {
	var out []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if !f.IsExported() || f.Tag.Get("mapstructure") == "" {
				continue
			}
			own := f.Type.Kind() == reflect.Struct && strings.HasPrefix(f.Type.PkgPath(), module)
			if opts == "squash" {
				if own {
					walk(prefix, f.Type)
				}
				continue
			}
			out = append(out, prefix+name)
			if own {
				walk(prefix+name+".", f.Type)
			}
		}
	}
	walk("", reflect.TypeOf(cfg).Elem())
	slices.Sort(out)
	return out
}

// EmptyToNil sets each empty slice and map reachable through exported fields
// of the struct cfg points to to nil, so that a config loaded from
// `files: []` compares equal to a default config whose Files is nil.
func EmptyToNil(cfg any) {
	emptyToNil(reflect.ValueOf(cfg).Elem())
}

func emptyToNil(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			emptyToNil(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				emptyToNil(f)
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 && !v.IsNil() && v.CanSet() {
			v.SetZero()
		}
	}
}
