package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// cmdFlags is a subcommand's flag set and the text of its help.
type cmdFlags struct {
	*flag.FlagSet
	synopsis string // the usage line after the program's name
	about    string // what the command does, for --help
}

func newFlags(name, synopsis, about string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself, on stderr
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, about: about}
}

// parse reads flags and operands in any order ("import in.json -o
// out.yaml"); after "--" everything is an operand, and so is each of
// literals wherever it stands (diff's --default). It returns the operands
// and ok; when ok is false the caller returns code: --help was asked
// for (printed on stdout, exitOK) or the flags are wrong (exitUsage).
func (f *cmdFlags) parse(args []string, stdout, stderr io.Writer, literals ...string) (operands []string, code int, ok bool) {
	for len(args) > 0 {
		if slices.Contains(literals, args[0]) {
			operands, args = append(operands, args[0]), args[1:]
			continue
		}
		// Parse up to the next literal, which flag would take for a flag.
		end := len(args)
		for i, a := range args {
			if a == "--" {
				break
			}
			if slices.Contains(literals, a) {
				end = i
				break
			}
		}
		if err := f.Parse(args[:end]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.help(stdout)
				return nil, exitOK, false
			}
			return nil, f.usageError(stderr, "%v", err), false
		}
		rest := f.Args()
		if n := end - len(rest); n > 0 && args[n-1] == "--" {
			return append(operands, append(rest, args[end:]...)...), exitOK, true
		}
		if len(rest) > 0 {
			operands, rest = append(operands, rest[0]), rest[1:]
		}
		args = append(rest, args[end:]...)
	}
	return operands, exitOK, true
}

// parseNone is parse for a command that takes flags only: an operand is
// a usage error.
func (f *cmdFlags) parseNone(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	operands, code, ok := f.parse(args, stdout, stderr)
	if ok && len(operands) > 0 {
		return f.usageError(stderr, "unexpected argument %q", operands[0]), false
	}
	return code, ok
}

// help prints the command's usage, what it does and its flags.
func (f *cmdFlags) help(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: otelcol-genai-cost %s\n\n%s\n", f.synopsis, f.about)
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nFlags:\n")
		f.SetOutput(&b)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
	say(w, b.String())
}

// usageError reports a command-line mistake on stderr and returns exitUsage.
func (f *cmdFlags) usageError(stderr io.Writer, format string, args ...any) int {
	say(stderr, fmt.Sprintf("otelcol-genai-cost %s: %s\nUsage: otelcol-genai-cost %s\nRun 'otelcol-genai-cost %s --help' for the flags.\n",
		f.Name(), fmt.Sprintf(format, args...), f.synopsis, f.Name()))
	return exitUsage
}

// fail reports an error found in the input on stderr and returns
// exitFindings.
func fail(stderr io.Writer, name string, err error) int {
	say(stderr, fmt.Sprintf("otelcol-genai-cost %s: %v\n", name, err))
	return exitFindings
}

// say writes a message on stderr: when that fails there is no one left
// to tell.
func say(stderr io.Writer, msg string) { _, _ = io.WriteString(stderr, msg) }

// emit writes a command's output on stdout and returns exitOK, or
// exitFindings when it could not be written (a closed pipe).
func emit(stdout, stderr io.Writer, name, text string) int {
	if _, err := io.WriteString(stdout, text); err != nil {
		return fail(stderr, name, err)
	}
	return exitOK
}

// listFlag is a flag that may be given several times, each value a list
// separated by commas: --files a.yaml,b.json --files c.yaml.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// repeatFlag is a flag that may be given several times, each value whole.
type repeatFlag []string

func (r *repeatFlag) String() string { return strings.Join(*r, " ") }

func (r *repeatFlag) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// parseAt reads a time given on the command line: a date (midnight UTC)
// or an RFC 3339 time.
func parseAt(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-11-30) or an RFC 3339 time (2026-11-30T10:00:00Z)", s)
	}
	return t.UTC(), nil
}

// formatAt writes a time as parseAt reads it: a date when it is midnight
// UTC.
func formatAt(t time.Time) string {
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}
