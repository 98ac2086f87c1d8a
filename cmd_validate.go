package main

import (
	"errors"
	"fmt"
	"slices"

	"lockdown/aws/sim"
	"lockdown/review"
	"lockdown/runbooks"
	"lockdown/steps"
)

// ValidateCmd checks runbook, scenario, plan and journal files.
type ValidateCmd struct {
	Files []string `arg:"" optional:"" name:"FILE" help:"Runbook, scenario, plan or journal files to check (none: the built-in runbooks and scenarios)."`
}

// Run prints a one-line summary per valid file and every problem of an invalid one as
// FILE:LINE:COL: message; it exits 1 when any file has a problem. Each file is read by the loader
// that lockdown itself uses for its kind — the whole loader, so a file that passes here is one
// that drill, sim serve, --runbook, apply and report accept — after its kind is told from its
// first bytes, without parsing it.
func (c *ValidateCmd) Run(g *Globals) error {
	v := &validation{g: g, reg: steps.Builtin()}
	if len(c.Files) == 0 {
		for _, name := range runbooks.BuiltinNames() {
			rb, err := runbooks.BuiltinNamed(name, v.reg)
			v.runbook("builtin:"+name, rb, err)
		}
		for _, name := range sim.ScenarioNames() {
			sc, err := sim.LoadScenario(name)
			v.scenario("builtin:"+name, sc, err)
		}
	}
	for _, f := range c.Files {
		v.file(f)
	}
	if v.bad > 0 {
		return exitCode(exitFailed, fmt.Errorf("%d of %d files have problems", v.bad, v.total))
	}
	return nil
}

// validation counts the files checked and prints what each is, or what is wrong with it.
type validation struct {
	g          *Globals
	reg        *steps.Registry
	bad, total int
}

// file checks one file as what its first bytes say it is.
func (v *validation) file(path string) {
	kind, err := kindOf(path)
	if err != nil {
		v.report(path, err, "")
		return
	}
	switch kind {
	case kindScenario:
		sc, err := sim.LoadScenarioFile(path)
		v.scenario(path, sc, err)
	case kindPlan:
		doc, err := review.ReadPlanFile(path)
		v.plan(path, doc, err)
	case kindJournal:
		jf, err := runbooks.ReadJournalFile(path)
		v.journal(path, jf, err)
	default:
		rb, err := runbooks.Load(path, v.reg)
		v.runbook(path, rb, err)
	}
}

// report prints a problem per line, or the file's summary when ok.
func (v *validation) report(name string, err error, ok string) {
	v.total++
	var rbProblems runbooks.Problems
	var scProblems sim.Problems
	switch {
	case errors.As(err, &rbProblems):
		v.bad++
		for _, p := range rbProblems {
			v.g.eprintf("%s\n", p)
		}
	case errors.As(err, &scProblems):
		v.bad++
		for _, p := range scProblems {
			v.g.eprintf("%s\n", p)
		}
	case err != nil:
		v.bad++
		v.g.eprintf("%v\n", prefixed(name, err))
	default:
		v.g.printf("%s: ok: %s\n", name, ok)
	}
}

func (v *validation) runbook(name string, rb *runbooks.Runbook, err error) {
	if err != nil {
		v.report(name, err, "")
		return
	}
	v.report(name, nil, fmt.Sprintf("runbook %q, %d steps (%d automated, %d manual)", rb.ID, len(rb.Steps), automated(rb), len(rb.Steps)-automated(rb)))
}

// scenario reports a scenario, built as drill and sim serve build it: a value they would refuse,
// even one that only building the account finds (a policy, group or role that does not exist),
// is a problem here too.
func (v *validation) scenario(name string, sc *sim.Scenario, err error) {
	if err == nil {
		err = sim.Check(sc)
	}
	if err != nil {
		v.report(name, err, "")
		return
	}
	v.report(name, nil, scenarioSummary(sc))
}

func (v *validation) plan(name string, doc *review.PlanDocument, err error) {
	if err != nil {
		v.report(name, err, "")
		return
	}
	changes := 0
	for _, ps := range doc.Steps {
		changes += len(ps.Changes)
	}
	v.report(name, nil, fmt.Sprintf("plan for account %s (runbook %s), %d steps, %d changes, digest %s", doc.Account, doc.Runbook, len(doc.Steps), changes, doc.Digest()))
}

// journal reports every line that holds no entry; a last line cut short by a kill is no problem,
// since every reader leaves it out.
func (v *validation) journal(name string, jf *runbooks.JournalFile, err error) {
	if err == nil && len(jf.Corrupt) > 0 {
		v.total++
		v.bad++
		for _, bad := range jf.Corrupt {
			v.g.eprintf("%s:%d: %s\n", name, bad.Line, bad.Problem)
		}
		return
	}
	if err != nil {
		v.report(name, err, "")
		return
	}
	torn := ""
	if jf.Torn != nil {
		torn = fmt.Sprintf("; line %d was cut short by a kill and is left out", jf.Torn.Line)
	}
	v.report(name, nil, fmt.Sprintf("journal, %d entries%s", len(jf.Entries), torn))
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

// keysLeanScenario reports whether more of the top-level keys are the scenario format's own than
// the runbook format's.
func keysLeanScenario(keys []string) bool {
	runbookKeys := runbooks.FormatKeys()["runbook"]
	scenarioKeys := sim.ScenarioKeys().Names()
	scenario, runbook := 0, 0
	for _, key := range keys {
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
