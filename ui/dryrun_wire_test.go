package ui

import (
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/runbooks"
	"lockdown/steps"
)

// walkTheWholeRunbook does what an operator who agrees with everything would: every automated
// step is inspected (the contain step with the leaked key typed), every row selected, planned, and
// every dialog confirmed with exactly what it asks for, follow-up plans included. It returns how
// many dialogs were confirmed.
func (d *drillSession) walkTheWholeRunbook(leakedKey string) int {
	d.t.Helper()
	confirmed := 0
	for _, st := range d.run.Statuses() {
		id := st.Step.ID
		if st.Step.Action == "" || id == "confirm-account" {
			continue
		}
		d.goTo(id)
		if id == "contain-key" {
			d.typeText(leakedKey)
			d.press("enter")
			d.idle("the key is inspected")
		} else {
			d.press("i")
			d.idle("step " + id + " is inspected")
		}
		if a, ok := steps.Builtin().Lookup(st.Step.Action); ok && a.Spec().ReadOnly {
			continue // inspecting was the whole step
		}
		if p := d.m.panels[id]; p.phase == phaseFound && p.table != nil {
			d.press("a")
		}
		d.press("p")
		d.until("step "+id+" is planned", func() bool {
			st := d.run.Status(id).State
			return d.m.panels[id].phase == phasePlan || st == runbooks.StateFailed || st == runbooks.StateDone
		})
		// The plan, then any follow-up plan (termination protection) the results offer.
		for range 3 {
			d.press("A")
			if d.m.confirm == nil {
				break
			}
			d.clock.advance(time.Second)
			d.confirmAsAsked()
			confirmed++
			d.idle("step " + id + " is applied")
		}
	}
	return confirmed
}

func TestTUIDryRunOfTheWholeRunbookSendsNoChangeInEveryScenario(t *testing.T) {
	for _, name := range simtest.SmallScenarios(t) {
		t.Run(name, func(t *testing.T) {
			sc, err := sim.LoadScenario(name)
			if err != nil {
				t.Fatal(err)
			}
			d := startDrillSession(t, drillOptions{mode: steps.DryRun, scenario: name})
			dialogs := d.walkTheWholeRunbook(sc.Attacker.AccessKeyID)
			reqs := d.wire.Requests()
			if changes := d.wire.Changes(); len(changes) > 0 {
				t.Errorf("the dry run sent %d changes", len(changes))
			}
			dryRuns := d.wire.DryRuns()
			if dialogs < 3 || dryRuns == 0 {
				t.Errorf("the walk confirmed %d dialogs and sent %d EC2 dry runs: the runbook was not exercised\n%s",
					dialogs, dryRuns, d.screen())
			}
			t.Logf("TUI dry run, scenario %s: %d dialogs confirmed, %d requests checked on the wire (%d EC2 dry runs)",
				name, dialogs, len(reqs), dryRuns)
		})
	}
}

func TestTUILiveRunNamingTheWrongAccountSendsNoChange(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Live, expected: wrongAccount})
	if st := d.run.Status("confirm-account"); st.State != runbooks.StateFailed {
		t.Fatalf("confirming the wrong account left step 1 %s", st.State)
	}
	d.press("s")
	d.typeText("looking around before switching credentials")
	d.press("enter")
	d.until("step 1 is skipped", func() bool { return d.run.Status("confirm-account").State == runbooks.StateSkipped })
	dialogs := d.walkTheWholeRunbook(leakedKeyID)
	if changes := d.wire.Changes(); len(changes) > 0 {
		t.Errorf("a live run in the wrong account sent %d changes, first %s", len(changes), changes[0].Action)
	}
	if dialogs < 3 {
		t.Errorf("only %d dialogs were answered:\n%s", dialogs, d.screen())
	}
	t.Logf("TUI live run, wrong --account: %d dialogs answered, %d requests checked on the wire", dialogs, d.wire.Count())
}

// The recorder on the same path sees a drill's changes: the tests above would fail if the
// protection they rely on were gone.
func TestTUIWalkInADrillIsSeenChangingTheAccount(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.planTermination()
	d.confirmAsAsked()
	d.idle("the termination is applied")
	if len(d.wire.ChangesOf("TerminateInstances")) == 0 {
		t.Fatalf("the recorder saw no termination in a drill:\n%s", d.screen())
	}
}
