package ui

import (
	"os"
	"strings"
	"testing"

	"lockdown/runbooks"
	"lockdown/steps"
)

func TestDrillRootChecksAreVerifiedThroughIAMAndJournaledWithEvidence(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("root-hardening")
	d.press("v")
	d.until("the checks come back", func() bool {
		st := d.run.Status("root-hardening")
		return st.Checked[1] && st.Checked[2]
	})
	d.idle("the screen settles")
	mustContain(t, "the checklist", d.screen(),
		"✓ verified: the account summary shows root MFA on",
		"✓ verified: the account summary shows no root access keys")
	st := d.run.Status("root-hardening")
	if st.Checked[0] {
		t.Error("an item without a check was ticked by verification")
	}
	if st.State == runbooks.StateDone {
		t.Error("the step completed while items only a person can do are unticked")
	}
	journal, err := os.ReadFile(d.journal)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(journal), `"evidence":"the account summary shows root MFA on"`) {
		t.Errorf("the journal lacks the evidence:\n%s", journal)
	}
	if n := len(d.mutations()); n != 0 {
		t.Errorf("verification sent %d mutating requests", n)
	}
}
