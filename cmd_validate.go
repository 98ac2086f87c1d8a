package main

import (
	"errors"
	"fmt"

	"lockdown/runbooks"
	"lockdown/steps"
)

// ValidateCmd checks runbook files.
type ValidateCmd struct {
	Files []string `arg:"" optional:"" name:"FILE" help:"Runbook files to check (none: the built-in runbooks)."`
}

// Run prints a one-line summary per valid file and every problem of an invalid one as
// FILE:LINE:COL: message; it exits 1 when any file has a problem.
func (c *ValidateCmd) Run(g *Globals) error {
	reg := steps.Builtin()
	bad := 0
	check := func(name string, rb *runbooks.Runbook, err error) {
		var problems runbooks.Problems
		switch {
		case errors.As(err, &problems):
			bad++
			for _, p := range problems {
				g.eprintf("%s\n", p)
			}
		case err != nil:
			bad++
			g.eprintf("%s: %v\n", name, err)
		default:
			g.printf("%s: ok: runbook %q, %d steps (%d automated, %d manual)\n", name, rb.ID, len(rb.Steps), automated(rb), len(rb.Steps)-automated(rb))
		}
	}
	if len(c.Files) == 0 {
		for _, name := range runbooks.BuiltinNames() {
			rb, err := runbooks.BuiltinNamed(name, reg)
			check("builtin:"+name, rb, err)
		}
	}
	for _, f := range c.Files {
		rb, err := runbooks.Load(f, reg)
		check(f, rb, err)
	}
	if bad > 0 {
		return exitCode(exitFailed, fmt.Errorf("%d of %d runbooks have problems", bad, max(len(c.Files), 1)))
	}
	return nil
}

func automated(rb *runbooks.Runbook) int {
	n := 0
	for _, s := range rb.Steps {
		if s.Action != "" {
			n++
		}
	}
	return n
}
