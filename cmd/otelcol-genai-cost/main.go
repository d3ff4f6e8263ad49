// Command otelcol-genai-cost works with the price catalog of otelcol-genai
// from the command line: it checks price files, converts the LiteLLM and
// genai-prices data sets into catalog YAML, shows the price card in force
// for a model, prices one call as the genai_cost processor and the
// genai_usage exporter would, and compares two catalogs; through a running
// collector's usage API it reprices stored records, exports them and lists
// the repricing runs. See docs/cli.md.
//
// Every subcommand is one entry of the commands table and one file; each
// parses its own flags with the standard library's flag package, writes
// its result to stdout and its messages to stderr, and returns an exit
// code: exitOK, exitFindings (invalid input, or the checked thing has
// errors) or exitUsage (the command line is wrong).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// The exit codes of every subcommand.
const (
	exitOK       = 0 // done
	exitFindings = 1 // invalid input, or the catalog or call checked has errors
	exitUsage    = 2 // a command-line mistake
)

// command is one subcommand. run gets the arguments after the
// subcommand's name.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order help shows them. A new
// subcommand is one more entry here and a file of its own.
var commands = []command{
	{"validate", "check price files of any format, over the default catalog or alone", runValidate},
	{"import", "convert a LiteLLM or genai-prices file into catalog YAML", runImport},
	{"price-at", "show the price card in force for a model at a time", runPriceAt},
	{"price", "price one call's usage, with contracts and a reporting currency", runPrice},
	{"diff", "compare two catalogs: models and cards added and removed, rate changes", runDiff},
	{"reprice", "reprice stored records of a range through a running collector (dry run first)", runReprice},
	{"export", "export stored records of a range as CSV or JSON, for chargeback", runExport},
	{"audit", "list the repricing runs: who, when, why, what changed", runAudit},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the subcommand args[0] with the rest of args and returns the
// exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:], stdout, stderr)
		}
	}
	say(stderr, fmt.Sprintf("otelcol-genai-cost: unknown command %q\n\n", name))
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Usage: otelcol-genai-cost <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun otelcol-genai-cost <command> --help for a command's flags; docs/cli.md has the reference.\n")
	say(w, b.String())
}
