package main

import (
	"bytes"
	"strings"
	"testing"
)

// cli runs the command in-process as the binary would and returns what it
// wrote and its exit code.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// testCatalog is the flags that price with testdata/prices.yaml alone, so
// that no figure here moves when the embedded catalog is regenerated.
var testCatalog = []string{"--no-default", "--files", "testdata/prices.yaml"}

func args(extra ...string) []string { return append(append([]string{}, testCatalog...), extra...) }

func TestUsage(t *testing.T) {
	out, _, code := cli(t, "--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out, "\n  "+c.name+" ") {
			t.Errorf("--help does not list %s:\n%s", c.name, out)
		}
	}
	if _, errOut, code := cli(t); code != exitUsage || !strings.HasPrefix(errOut, "Usage: otelcol-genai-cost <command>") {
		t.Errorf("no command: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := cli(t, "frobnicate"); code != exitUsage || !strings.HasPrefix(errOut, `otelcol-genai-cost: unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q", code, errOut)
	}
}

// Every subcommand answers --help on stdout with exit 0, and a flag it
// does not have with exit 2 on stderr.
func TestSubcommandHelpAndBadFlag(t *testing.T) {
	for _, c := range commands {
		out, errOut, code := cli(t, c.name, "--help")
		if code != exitOK || !strings.HasPrefix(out, "Usage: otelcol-genai-cost "+c.name) || errOut != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", c.name, code, out, errOut)
		}
		out, errOut, code = cli(t, c.name, "--no-such-flag")
		want := "otelcol-genai-cost " + c.name + ": flag provided but not defined: -no-such-flag\n"
		if code != exitUsage || !strings.HasPrefix(errOut, want) || out != "" {
			t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q", c.name, code, out, errOut)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	f := newFlags("x", "x", "")
	o := f.String("o", "", "")
	j := f.Bool("json", false, "")
	ops, _, ok := f.parse([]string{"a", "-o", "out", "--default", "b", "--json", "--", "-c"}, nil, nil, "--default")
	if !ok || *o != "out" || !*j || strings.Join(ops, " ") != "a --default b -c" {
		t.Errorf("got ok %v, -o %q, --json %v, operands %q", ok, *o, *j, ops)
	}
}
