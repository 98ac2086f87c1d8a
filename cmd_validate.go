package main

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"lockdown/aws/sim"
	"lockdown/runbooks"
	"lockdown/steps"
)

// ValidateCmd checks runbook and scenario files.
type ValidateCmd struct {
	Files []string `arg:"" optional:"" name:"FILE" help:"Runbook or scenario files to check (none: the built-in runbooks and scenarios)."`
}

// Run prints a one-line summary per valid file and every problem of an invalid one as
// FILE:LINE:COL: message; it exits 1 when any file has a problem. Each file is read as a runbook
// or a scenario by its top-level keys.
func (c *ValidateCmd) Run(g *Globals) error {
	reg := steps.Builtin()
	bad, total := 0, 0
	report := func(name string, err error, ok string) {
		total++
		var rbProblems runbooks.Problems
		var scProblems sim.Problems
		switch {
		case errors.As(err, &rbProblems):
			bad++
			for _, p := range rbProblems {
				g.eprintf("%s\n", p)
			}
		case errors.As(err, &scProblems):
			bad++
			for _, p := range scProblems {
				g.eprintf("%s\n", p)
			}
		case err != nil:
			bad++
			g.eprintf("%v\n", prefixed(name, err))
		default:
			g.printf("%s: ok: %s\n", name, ok)
		}
	}
	checkRunbook := func(name string, rb *runbooks.Runbook, err error) {
		if err != nil {
			report(name, err, "")
			return
		}
		report(name, nil, fmt.Sprintf("runbook %q, %d steps (%d automated, %d manual)", rb.ID, len(rb.Steps), automated(rb), len(rb.Steps)-automated(rb)))
	}
	checkScenario := func(name string, sc *sim.Scenario, err error) {
		if err != nil {
			report(name, err, "")
			return
		}
		report(name, nil, scenarioSummary(sc))
	}
	if len(c.Files) == 0 {
		for _, name := range runbooks.BuiltinNames() {
			rb, err := runbooks.BuiltinNamed(name, reg)
			checkRunbook("builtin:"+name, rb, err)
		}
		for _, name := range sim.ScenarioNames() {
			sc, err := sim.LoadScenario(name)
			checkScenario("builtin:"+name, sc, err)
		}
	}
	for _, f := range c.Files {
		if isScenarioFile(f) {
			sc, err := sim.LoadScenarioFile(f)
			checkScenario(f, sc, err)
			continue
		}
		rb, err := runbooks.Load(f, reg)
		checkRunbook(f, rb, err)
	}
	if bad > 0 {
		return exitCode(exitFailed, fmt.Errorf("%d of %d files have problems", bad, total))
	}
	return nil
}

// prefixed names the file in an error that does not already begin with it.
func prefixed(name string, err error) string {
	msg := err.Error()
	if len(msg) > len(name) && msg[:len(name)] == name {
		return msg
	}
	return name + ": " + msg
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

func scenarioSummary(sc *sim.Scenario) string {
	regions := map[string]bool{}
	instances := len(sc.EC2.Instances)
	for _, in := range sc.EC2.Instances {
		regions[in.Region] = true
	}
	for _, f := range sc.EC2.Generate {
		regions[f.Region] = true
		instances += f.Count
	}
	difficulty := sc.Difficulty
	if difficulty == "" {
		difficulty = "no difficulty given"
	}
	return fmt.Sprintf("scenario %q (%s), %d instances in %d regions, %d IAM users, %d attacker events",
		sc.Name, difficulty, instances, len(regions), len(sc.IAM.Users), len(sc.Attacker.Events))
}

// isScenarioFile tells a scenario from a runbook by its top-level keys: a file whose keys are
// more the scenario format's than the runbook format's is a scenario. Anything unreadable is
// left to the runbook loader, which reports it with its place.
func isScenarioFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil || len(data) > sim.MaxScenarioBytes {
		return false
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return false
	}
	var pairs []*ast.MappingValueNode
	switch m := f.Docs[0].Body.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	}
	runbookKeys := runbooks.FormatKeys()["runbook"]
	scenarioKeys := sim.ScenarioKeys().Names()
	scenario, runbook := 0, 0
	for _, kv := range pairs {
		key := kv.Key.String()
		inScenario, inRunbook := slices.Contains(scenarioKeys, key), slices.Contains(runbookKeys, key)
		switch {
		case inScenario && !inRunbook:
			scenario++
		case inRunbook && !inScenario:
			runbook++
		}
	}
	return scenario > runbook
}
