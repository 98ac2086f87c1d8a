package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"lockdown/aws"
	"lockdown/input"
	"lockdown/runbooks"
	"lockdown/steps"
)

// checkFlags refuses common flags that are wrong whatever the command, before it runs: a
// --call-timeout that would fail every AWS call.
func (g *Globals) checkFlags() error {
	if g.CallTimeout <= 0 {
		return usageError("--call-timeout %s: give how long one attempt of an AWS call may take, more than 0 (such as 30s)", g.CallTimeout)
	}
	return nil
}

// readSessionInputs reads and checks, before anything talks to AWS, what a command that runs the
// runbook depends on: its flags, the runbook and the journal directory. A mistake in any of them
// is reported at once, never after a dry run of many minutes.
func (g *Globals) readSessionInputs() error {
	if err := g.validateAccountID(); err != nil {
		return err
	}
	if g.Journal != "" {
		if fi, err := os.Stat(g.Journal); err == nil && !fi.IsDir() {
			return usageError("--journal %s is not a directory: name the directory that keeps incident journals", g.Journal)
		}
	}
	_, err := g.loadRunbook(steps.Builtin())
	return err
}

// checkSkipRegions refuses --skip-regions names that are not regions: a typo would leave the region
// meant to be skipped in, and a name that is no region skips nothing.
func checkSkipRegions(regions []string) error {
	if err := aws.CheckRegionNames("--skip-regions", regions); err != nil {
		return exitCode(exitUsage, err)
	}
	return nil
}

// loadRunbook returns the --runbook file or the built-in runbook, read once.
func (g *Globals) loadRunbook(reg *steps.Registry) (*runbooks.Runbook, error) {
	if g.runbook != nil {
		return g.runbook, nil
	}
	if g.Runbook == "" {
		rb, err := runbooks.BuiltinNamed("compromised-account", reg)
		g.runbook = rb
		return rb, err
	}
	rb, err := runbooks.Load(g.Runbook, reg)
	var problems runbooks.Problems
	var notRegular *input.NotRegularError
	switch {
	case errors.As(err, &problems):
		return nil, usageError("the runbook has problems:\n%s", problems.Error())
	case errors.As(err, &notRegular):
		return nil, usageError("--runbook: %v", notRegular)
	case err != nil:
		return nil, exitCode(exitUsage, err)
	}
	g.runbook = rb
	return rb, nil
}

// checkNewFile refuses, before anything talks to AWS, an output path lockdown could not create:
// one that exists (lockdown never overwrites a plan or secrets), is not a regular file, or lies in
// a directory that is missing or not writable. Writability is proven by creating and removing a
// file beside it, so the answer is the file system's, not a guess from permission bits.
func checkNewFile(flag, path, what string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().IsRegular() {
			return usageError("%s %s already exists: lockdown does not overwrite a %s; choose another name", flag, path, what)
		}
		return usageError("%s %s", flag, (&input.NotRegularError{Path: path, What: what, Mode: fi.Mode()}).Error())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cannotWrite(flag, path, err)
	}
	probe, err := os.CreateTemp(filepath.Dir(path), ".lockdown-write-check-*")
	if err != nil {
		return cannotWrite(flag, path, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// cannotWrite says why path cannot be created, naming its directory, where the problem is.
func cannotWrite(flag, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", filepath.Dir(pe.Path), pe.Err)
	}
	return usageError("%s %s cannot be written: %v; choose a path in a directory you can write to", flag, path, err)
}
