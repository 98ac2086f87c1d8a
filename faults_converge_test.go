package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/wiretest"
	"lockdown/review"
	"lockdown/steps"
)

// convergeScenarios are applied whole by the cut-and-run-again cases, each with what it needs
// kept to be contained by lockdown alone; between them every mutating step has something to do.
var convergeScenarios = []struct {
	name  string
	keeps []string
}{
	{"crypto-miner", nil},
	{"persistence", nil},
}

// TestEveryStepCutHalfWayThenAppliedAgainEndsContained walks every mutating action the runbook
// registers: in a scenario whose plan gives its step changes, one of the step's calls is carried
// out by AWS and its answer held, and lockdown is killed while it waits; the step is cut after
// its earlier changes, with a call whose fate the journal does not know. Applying the same plan
// again must reconcile, finish, and end with the account contained (exit 0). A new step is
// covered as soon as a scenario plants what it changes; one no scenario gives changes fails here.
func TestEveryStepCutHalfWayThenAppliedAgainEndsContained(t *testing.T) {
	t.Parallel()
	reg := steps.Builtin()
	for _, name := range reg.Names() {
		action, _ := reg.Lookup(name)
		if action.Spec().ReadOnly {
			continue
		}
		scenario, keeps, step, rule, ok := cutFor(t, name)
		if !ok {
			t.Errorf("no scenario's plan gives %s changes: plant what it changes in one of %v", name, convergeScenarios)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Logf("%s in %s: cut at %s %s", step, scenario, rule.Action, rule.Param)
			r := newCrashRigFor(t, scenario, keeps...)
			held := rule
			held.Fault = wiretest.SlowAnswer(time.Minute)
			r.wire.SetRules(held)
			r.killApply("secrets-1", func() bool { return heldAndServed(r, held) })
			r.wire.SetRules()
			code, out := r.apply("secrets-2")
			if code != exitOK || !strings.Contains(out, "verify-contained: contained") || strings.Contains(out, "REFUSED") {
				t.Errorf("after %s was cut at its %s call, applying the plan again exited %d:\n%s", step, rule.Action, code, out)
			}
		})
	}
}

// cutFor finds the scenario whose plan gives the action's step changes, and the rule that picks
// the step's call to cut at: an action no earlier step calls, or else the call about the change's
// target.
func cutFor(t *testing.T, action string) (scenario string, keeps []string, step string, rule wiretest.Rule, ok bool) {
	t.Helper()
	for _, sc := range convergeScenarios {
		doc, err := review.ReadPlanFile(rigPlanFile(t, sc.name, sc.keeps, t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		earlier := map[string]bool{}
		for _, ps := range doc.Steps {
			if ps.Action != action || len(ps.Changes) == 0 {
				for _, c := range ps.Changes {
					for _, a := range apiActions(c) {
						earlier[a] = true
					}
				}
				continue
			}
			for _, c := range ps.Changes {
				if a := apiActions(c); !earlier[a[0]] {
					return sc.name, sc.keeps, ps.Step, wiretest.Rule{Action: a[0], Times: 1}, true
				}
			}
			c := ps.Changes[0]
			return sc.name, sc.keeps, ps.Step, wiretest.Rule{Action: apiActions(c)[0], Param: c.Target, Times: 1}, true
		}
	}
	return "", nil, "", wiretest.Rule{}, false
}

// apiActions are the AWS actions a change's operation calls ("iam:A+B" calls A and B).
func apiActions(c steps.Change) []string {
	_, calls, _ := strings.Cut(c.Op, ":")
	return strings.Split(calls, "+")
}

// heldAndServed reports whether the call the rule holds has reached the wire and AWS carried out
// every call of its action that did.
func heldAndServed(r *crashRig, rule wiretest.Rule) bool {
	matching, sent := 0, 0
	for _, q := range r.wire.ChangesOf(rule.Action) {
		sent++
		if rule.Param == "" || slices.ContainsFunc(paramValues(q), func(v string) bool { return v == rule.Param }) {
			matching++
		}
	}
	if matching == 0 {
		return false
	}
	served := 0
	for _, q := range r.sim.Server.Requests() {
		if q.Action == rule.Action && q.Mutating && !q.Attacker {
			served++
		}
	}
	return served >= sent
}

func paramValues(q wiretest.Request) []string {
	var out []string
	for _, v := range q.Params {
		out = append(out, v...)
	}
	return out
}
