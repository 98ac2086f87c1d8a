package ui

import (
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

func TestDrillInTheWrongAccountRefusesEveryChange(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill, expected: wrongAccount})
	mustContain(t, "the identity step", d.screen(), "WRONG ACCOUNT", "credentials are for account "+drillAccount,
		"compromised account is "+wrongAccount, "≠ --account "+wrongAccount)

	d.containLeakedKey()
	d.confirmAsAsked()
	d.idle("the containment finishes")
	mustContain(t, "the containment results", d.screen(), "3 failed", "Refused", drillAccount, wrongAccount,
		leakedKeyID+" still reads back Active")

	d.planTermination()
	d.confirmAsAsked()
	d.idle("the termination finishes")
	mustContain(t, "the termination results", d.screen(), "Results: ", "Refused", drillAccount, wrongAccount)

	if got := d.mutations(); len(got) != 0 {
		t.Errorf("the wrong account received %d changes, first %s in %s", len(got), got[0].Action, got[0].Region)
	}
	for _, id := range []string{"contain-key", "terminate-instances"} {
		if st := d.run.Status(id); st.State != runbooks.StateFailed {
			t.Errorf("%s is %s after a refusal, want failed", id, st.State)
		}
	}
}
