package main

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
)

// example is one command of a ```console block in a Markdown file and
// the output shown after it.
type example struct {
	line   int
	args   []string
	output string
}

// consoleExamples reads the "$ otelcol-genai-cost ..." commands of the
// ```console blocks of file (a command may go on over lines that end in
// " \") and the lines after each, up to the next command or the block's
// end, as its output (stdout and stderr together).
func consoleExamples(t *testing.T, file string) []example {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	var cur *example
	in, cont := false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !in:
			in = line == "```console"
		case line == "```":
			in, cur = false, nil
		case cont:
			cont = strings.HasSuffix(line, " \\")
			cur.args = append(cur.args, strings.Fields(strings.TrimSuffix(line, " \\"))...)
		case strings.HasPrefix(line, "$ otelcol-genai-cost "):
			out = append(out, example{line: n})
			cur = &out[len(out)-1]
			cont = strings.HasSuffix(line, " \\")
			cur.args = strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "$ otelcol-genai-cost "), " \\"))
		case cur != nil:
			cur.output += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every example of docs/cli.md prints what the page shows.
func TestDocsExamples(t *testing.T) {
	t.Chdir("../..") // the examples run from the repository's root
	examples := consoleExamples(t, "docs/cli.md")
	if len(examples) < 10 {
		t.Fatalf("found %d examples in docs/cli.md", len(examples))
	}
	for _, ex := range examples {
		var out bytes.Buffer
		run(ex.args, &out, &out)
		if out.String() != ex.output {
			t.Errorf("docs/cli.md:%d: otelcol-genai-cost %s\ngot:\n%s\nthe page shows:\n%s", ex.line, strings.Join(ex.args, " "), out.String(), ex.output)
		}
	}
}

// The examples of README.md use the embedded catalog: each must run, and
// print what the README shows when it shows an output (a regenerated
// catalog that changes a card there fails here, naming the line).
func TestREADMEExamples(t *testing.T) {
	t.Chdir("../..")
	examples := consoleExamples(t, "README.md")
	if len(examples) == 0 {
		t.Fatal("no otelcol-genai-cost example in README.md")
	}
	for _, ex := range examples {
		var out, errOut bytes.Buffer
		code := run(ex.args, &out, &errOut)
		cmd := strings.Join(ex.args, " ")
		switch {
		case code != exitOK:
			t.Errorf("README.md:%d: otelcol-genai-cost %s: exit %d\n%s", ex.line, cmd, code, errOut.String())
		case ex.output != "" && out.String() != ex.output:
			t.Errorf("README.md:%d: otelcol-genai-cost %s\ngot:\n%s\nthe README shows:\n%s", ex.line, cmd, out.String(), ex.output)
		}
	}
}
