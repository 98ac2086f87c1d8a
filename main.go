// Command lockdown walks an on-call engineer through the compromised-AWS-account procedure:
// confirm the account, contain the leaked key, clean up IAM, find and stop rogue instances.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/alecthomas/kong"

	"lockdown/aws"
	"lockdown/aws/sim"
)

// Exit codes are part of the command-line contract.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitPartial = 3
)

// CLI is the whole command line. Flags on it are common to every command.
type CLI struct {
	Globals

	Respond  RespondCmd  `cmd:"" default:"withargs" help:"Open the response TUI on the account from the standard AWS credential chain (the default command)."`
	Drill    DrillCmd    `cmd:"" help:"Run a tabletop drill against the built-in simulated account: no AWS account or network needed."`
	Scan     ScanCmd     `cmd:"" help:"Read-only rogue-instance scan of every enabled region (exit 3 if any region failed)."`
	Keys     KeysCmd     `cmd:"" help:"Read-only IAM credential inventory; --json for one JSON document."`
	Verify   VerifyCmd   `cmd:"" help:"Is the attacker out? Re-read the account and check every credential and instance the incident touched (read-only; exit 0 only when contained, else 3)."`
	Trace    TraceCmd    `cmd:"" help:"The attacker's CloudTrail timeline, followed from the leaked key to every credential it made (read-only; exit 3 if a region failed)."`
	Plan     PlanCmd     `cmd:"" help:"Dry-run the runbook headless and write a plan for review; never changes anything."`
	Apply    ApplyCmd    `cmd:"" help:"Apply exactly a reviewed plan (--live --confirm ACCOUNT_ID); a step that drifted since review is not applied."`
	Report   ReportCmd   `cmd:"" help:"Render an incident report (Markdown, or --json) from a journal."`
	Whose    WhoseCmd    `cmd:"" help:"Which account owns an access key, and its place in the organization (read-only)."`
	Validate ValidateCmd `cmd:"" help:"Check runbook files strictly; print every problem as FILE:LINE:COL: message."`
	Sim      SimCmd      `cmd:"" help:"The simulated account."`
	Version  VersionCmd  `cmd:"" help:"Print lockdown's version."`
}

// headless reports whether a command writes its progress as lines on stderr; the interactive
// ones own the terminal, where a stray line would corrupt the screen.
func headless(command string) bool {
	return command != "respond" && !strings.HasPrefix(command, "drill")
}

// exitError carries an exit code through kong's Run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode wraps err so that lockdown exits with code.
func exitCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageError is a bad command line: exit 2.
func usageError(format string, args ...any) error {
	return exitCode(exitUsage, fmt.Errorf(format, args...))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the chosen command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, stdout, stderr, nil)
}

// runWith is run with a hook that adjusts the parsed flags before the command runs (tests give
// the simulator's credentials this way).
func runWith(args []string, stdout, stderr io.Writer, prepare func(*Globals)) int {
	stdout, stderr = serialized(stdout), serialized(stderr)
	var cli CLI
	exited := -1
	parser, err := kong.New(&cli,
		kong.Name("lockdown"),
		kong.Description("Respond to a compromised AWS account: contain the leaked key, clean up IAM, stop rogue instances, and record everything. Dry-run unless --live."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"version": version(), "default_scenario": sim.DefaultScenario},
	)
	if err != nil {
		fmt.Fprintf(stderr, "lockdown: %v\n", err)
		return exitFailed
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 {
		return exited // --help printed its page
	}
	if err != nil {
		fmt.Fprintf(stderr, "lockdown: %v\nRun 'lockdown --help' for usage.\n", err)
		return exitUsage
	}
	cli.Globals.stdout, cli.Globals.stderr = stdout, stderr
	cli.Globals.command = kctx.Command()
	defer func() {
		if cli.Globals.log != nil {
			_ = cli.Globals.log.Close()
		}
	}()
	if prepare != nil {
		prepare(&cli.Globals)
	}
	ctx, stop := stopOnSignal(stderr)
	defer stop()
	if headless(kctx.Command()) {
		ctx = aws.WithCallObserver(ctx, newCallProgress(stderr).observe)
	}
	cli.Globals.ctx = ctx
	err = cli.Globals.checkFlags()
	if err == nil {
		err = kctx.Run(&cli.Globals)
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.code != exitOK {
			fmt.Fprintf(stderr, "lockdown: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "lockdown: %v\n", err)
	return exitFailed
}

// serialized lets the progress of parallel work (regions, retries, steps) share a writer that is
// not a file: a file's writes are whole system calls, a buffer's are not safe at the same time.
func serialized(w io.Writer) io.Writer {
	if _, ok := w.(*os.File); ok {
		return w
	}
	return &lockedWriter{w: w}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
