package ui

import (
	"strings"
	"testing"

	"lockdown/runbooks"
	"lockdown/steps"
)

const wrongAccount = "000000000000"

// containLeakedKey types the leaked key id into the contain step, inspects, plans and opens the
// confirmation.
func (d *drillSession) containLeakedKey() {
	d.t.Helper()
	d.goTo("contain-key")
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the key is inspected")
	d.plan()
	d.openConfirm()
}

// planTermination scans, plans the rogue instances preselected for termination and opens the
// confirmation.
func (d *drillSession) planTermination() {
	d.t.Helper()
	d.goTo("find-rogue-instances")
	d.inspect()
	d.goTo("terminate-instances")
	d.inspect()
	d.plan()
	d.openConfirm()
}

// confirmAsAsked types whatever the open dialog asks for, or y when it asks for nothing typed.
func (d *drillSession) confirmAsAsked() {
	d.t.Helper()
	if typed := d.m.confirm.plan.Confirm.Typed; typed != "" {
		d.typeText(typed)
		d.press("enter")
	} else {
		d.press("y")
	}
	if d.m.confirm != nil {
		d.t.Fatalf("the dialog did not accept the confirmation:\n%s", d.screen())
	}
}

func TestDrillInTheWrongAccountFailsStepOneAndRefusesEveryChange(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill, expected: wrongAccount})
	mustContain(t, "the identity step", d.screen(), "WRONG ACCOUNT", "credentials are for account "+drillAccount,
		"≠ --account "+wrongAccount, "failed: wrong account")
	if st := d.run.Status("confirm-account"); st.State != runbooks.StateFailed {
		t.Fatalf("confirming the wrong account left step 1 %s", st.State)
	}

	// Looking on anyway takes a deliberate skip of step 1; even then no dialog asks for a
	// confirmation that cannot work.
	d.press("s")
	d.typeText("looking around before switching credentials")
	d.press("enter")
	d.until("step 1 is skipped", func() bool { return d.run.Status("confirm-account").State == runbooks.StateSkipped })
	d.containLeakedKey()
	mustContain(t, "the contain dialog", d.screen(), "will be refused", drillAccount, wrongAccount)
	if got := d.screen(); strings.Contains(got, "to confirm") {
		t.Errorf("the dialog asks for typed text although the change will be refused:\n%s", got)
	}
	d.typeText(d.m.confirm.plan.Confirm.Typed)
	d.press("enter")
	d.idle("the dialog closes")
	if d.m.confirm != nil {
		t.Fatalf("enter does not close a refused dialog:\n%s", d.screen())
	}
	if got := d.mutations(); len(got) != 0 {
		t.Errorf("the wrong account received %d changes, first %s in %s", len(got), got[0].Action, got[0].Region)
	}
	if st := d.run.Status("contain-key"); st.State != runbooks.StateWaiting || st.Outcome != nil {
		t.Errorf("contain-key is %s after a refused dialog, want its plan still waiting", st.State)
	}
}

func TestDryRunPlansAndAppliesWithoutChangingAnything(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.DryRun})
	keysBefore := d.keyStatuses(drillUsers...)
	instancesBefore := map[string]string{}
	for _, in := range d.srv.EC2Instances("") {
		instancesBefore[in.ID] = in.State
	}

	d.containLeakedKey()
	mustContain(t, "the contain dialog", d.screen(), "DRY-RUN: nothing will change")
	d.confirmAsAsked()
	d.idle("the dry-run containment finishes")
	mustContain(t, "the containment results", d.screen(), "0 failed", "UpdateAccessKey "+leakedKeyID+"  would apply (dry-run)",
		"still Active (dry run: nothing was changed)")

	d.planTermination()
	mustContain(t, "the terminate dialog", d.screen(), "DRY-RUN: nothing will change")
	d.confirmAsAsked()
	d.idle("the dry-run termination finishes")
	mustContain(t, "the termination results", d.screen(), "0 failed", "TerminateInstances", "would apply (dry-run)")

	if got := d.mutations(); len(got) != 0 {
		t.Errorf("a dry run sent %d changes, first %s in %s", len(got), got[0].Action, got[0].Region)
	}
	checked := 0
	for _, r := range d.srv.Requests() {
		if r.Action == "TerminateInstances" && r.DryRun {
			checked++
		}
	}
	if checked == 0 {
		t.Error("the dry run did not check termination permissions with DryRun=true")
	}
	if got := d.keyStatuses(drillUsers...); len(got) != len(keysBefore) || got[leakedKeyID] != "Active" {
		t.Errorf("keys changed in a dry run: %v, before %v", got, keysBefore)
	}
	for _, in := range d.srv.EC2Instances("") {
		if instancesBefore[in.ID] != in.State {
			t.Errorf("%s went from %s to %s in a dry run", in.ID, instancesBefore[in.ID], in.State)
		}
	}
}
