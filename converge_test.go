package main

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
	"lockdown/runbooks"
	"lockdown/steps"
)

// scenarioKeeps are the plan's --keep decisions a scenario needs to be containable by lockdown
// alone: what only a person can undo, said undone by hand. Every small scenario needs none.
var scenarioKeeps = map[string][]string{}

// TestApplyingAPlanAgainChangesNothingInEveryScenarioAndStep walks every mutating action the
// runbook has, through every small scenario: the plan's changes each name a selected row of their
// step, the journal records each change under the id the plan gave it, and a second apply of the
// same plan sends no change, refuses nothing and exits as the first one did. An action no scenario
// plans anything for is not checked, which fails too: a new step needs a scenario that plants
// what it removes.
func TestApplyingAPlanAgainChangesNothingInEveryScenarioAndStep(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	exercised := map[string]bool{}
	t.Run("scenarios", func(t *testing.T) {
		for _, name := range simtest.SmallScenarios(t) {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				for _, action := range applyTwice(t, name) {
					mu.Lock()
					exercised[action] = true
					mu.Unlock()
				}
			})
		}
	})
	reg := steps.Builtin()
	for _, name := range reg.Names() {
		action, _ := reg.Lookup(name)
		if !action.Spec().ReadOnly && !exercised[name] {
			t.Errorf("no scenario plans a change for %s, so nothing checks that applying it again converges: plant what it changes in a scenario", name)
		}
	}
}

// applyTwice plans scenario, applies the plan twice and checks the second apply; it returns the
// actions whose steps planned changes.
func applyTwice(t *testing.T, scenario string) []string {
	s := simtest.Start(t, scenario, time.Now().UTC())
	wire := s.Watch(t)
	cli := &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
	path := filepath.Join(t.TempDir(), "plan.json")
	args := []string{"plan", "--key", s.Server.Scenario().Attacker.AccessKeyID, "--since", s.Server.IncidentStart().Format(time.RFC3339), "-o", path}
	for _, keep := range scenarioKeeps[scenario] {
		args = append(args, "--keep", keep)
	}
	if code, _, stderr := cli.lockdown(args...); code != exitOK && code != exitPartial {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range doc.Steps {
		if slices.ContainsFunc(ps.Warnings, func(w string) bool { return strings.Contains(w, "LOCK YOURSELF OUT") }) {
			// The responder acts as the leaked key's user: containing it ends the responder's
			// access, which is what this scenario teaches, and nothing can be applied again.
			t.Skip("the responder is the leaked key's user")
		}
	}
	var actions []string
	for _, ps := range doc.Steps {
		if len(ps.Changes) > 0 {
			actions = append(actions, ps.Action)
		}
		changesNameTheirRows(t, ps)
	}
	apply := func() (int, string) {
		code, _, stderr := cli.lockdown("apply", path, "--live", "--confirm", s.Server.Account(), "--plan-digest", doc.Digest(),
			"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
		return code, stderr
	}
	first, out := apply()
	t.Logf("first apply exited %d:\n%s", first, out)
	journaledUnderPlannedIDs(t, doc, cli.newestLiveJournal())

	// Again, as if every answer of the first apply had been lost: its journal holds what it meant
	// to do and nothing of what was done, so only the account tells.
	answersLost(t, cli.newestLiveJournalPath())
	again := func(what string) {
		wire.Reset()
		code, out := apply()
		t.Logf("%s exited %d:\n%s", what, code, out)
		if sent := wire.Changes(); len(sent) > 0 {
			t.Errorf("%s sent %d changes, first %s %s", what, len(sent), sent[0].Action, sent[0].Region)
		}
		for _, word := range []string{"REFUSED", "DRIFT", "FAILED", "NOT applied"} {
			if strings.Contains(out, word) {
				t.Errorf("%s says %s", what, word)
			}
		}
		if code != first {
			t.Errorf("%s exited %d, the first %d: the account did not change between them", what, code, first)
		}
	}
	again("applying the plan again after every answer was lost")
	again("applying the same plan a third time")
	return actions
}

// answersLost rewrites a journal as a run whose every call went unanswered would have left it:
// each change intended, none settled, no step's results.
func answersLost(t *testing.T, path string) {
	t.Helper()
	dropEntries(t, path, func(e runbooks.Entry) bool {
		return e.Kind == runbooks.KindSettled || e.Kind == runbooks.KindApplied || e.Kind == runbooks.KindResult
	})
}

// changesNameTheirRows checks that every change of a step with a selectable table names one of
// the step's selected rows: apply tells what is done from that link.
func changesNameTheirRows(t *testing.T, ps review.PlanStep) {
	t.Helper()
	if len(ps.Selected) == 0 {
		return
	}
	for _, c := range ps.Changes {
		if !slices.Contains(ps.Selected, c.Row) {
			t.Errorf("%s: change %s names row %q, not one of the selected rows %v", ps.Step, c.ID, c.Row, ps.Selected)
		}
	}
}

// journaledUnderPlannedIDs checks that every change the apply journaled as intended carries the id
// the plan gave it, so a change settled done is known to be the reviewed change it was.
func journaledUnderPlannedIDs(t *testing.T, doc *review.PlanDocument, entries []runbooks.Entry) {
	t.Helper()
	planned := map[string]map[string]bool{}
	for _, ps := range doc.Steps {
		planned[ps.Step] = map[string]bool{}
		for _, c := range ps.Changes {
			planned[ps.Step][c.ID] = true
		}
	}
	for _, e := range entries {
		if e.Kind != runbooks.KindIntent {
			continue
		}
		if id := field(e.Data, "change", "id"); !planned[e.Step][id] {
			t.Errorf("%s journaled the change %q, which is not a change id of its reviewed plan", e.Step, id)
		}
	}
}
