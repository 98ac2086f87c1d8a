package runbooks

import (
	"strings"
	"testing"

	"lockdown/steps"
)

func TestEachChangeIsOnDiskAsIntendedBeforeItsCallAndSettledAfter(t *testing.T) {
	tr := newTestRun(t, containAction())
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	key := steps.Change{ID: "CreateAccessKey/alice", Op: "iam:CreateAccessKey", Target: "alice", Summary: "create a new key for alice"}
	term := steps.Change{ID: "TerminateInstances/us-west-2/i-1", Op: "ec2:TerminateInstances", Region: "us-west-2", Target: "i-1", Summary: "terminate i-1"}
	pending := func() []PendingChange {
		t.Helper()
		entries, err := ReadJournal(tr.journal.Path())
		if err != nil {
			t.Fatal(err)
		}
		return PendingChanges(entries)
	}

	if err := ledger.Intend(key); err != nil {
		t.Fatal(err)
	}
	// A kill here, before the call's answer: the journal already names the change.
	if p := pending(); len(p) != 1 || p[0].Change != key || p[0].Step != "contain" || p[0].Outcome != "" {
		t.Fatalf("after the intent: %+v", p)
	}
	if err := ledger.Settle(Settlement{ChangeID: key.ID, Outcome: CallUnknown, Message: "the answer was lost"}); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Intend(term); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Settle(Settlement{ChangeID: term.ID, Outcome: CallDone}); err != nil {
		t.Fatal(err)
	}
	p := pending()
	if len(p) != 1 || p[0].Change.ID != key.ID || p[0].Outcome != CallUnknown {
		t.Fatalf("a lost answer stays pending, a done one does not: %+v", p)
	}

	// The report says which change may or may not have been made, and the incident is unsettled.
	entries, _ := ReadJournal(tr.journal.Path())
	why := strings.Join(BuildReport(entries).Unsettled(), "\n")
	if !strings.Contains(why, `whether AWS made the change "create a new key for alice" is not known (its answer was lost)`) {
		t.Errorf("unsettled: %s", why)
	}

	// Reconciled by reading the account: the key exists.
	if err := ledger.Settle(Settlement{ChangeID: key.ID, Outcome: CallDone, Ref: "AKIAEXAMPLENEWKEY001"}); err != nil {
		t.Fatal(err)
	}
	if p := pending(); len(p) != 0 {
		t.Fatalf("after reconciling: %+v", p)
	}
	// A retry is pending again until its own call settles.
	if err := ledger.Intend(term); err != nil {
		t.Fatal(err)
	}
	if p := pending(); len(p) != 1 || p[0].Change.ID != term.ID {
		t.Fatalf("a retried change: %+v", p)
	}
}

func TestALedgerIsOnlyForAStepOfTheRunbook(t *testing.T) {
	tr := newTestRun(t, containAction())
	if _, err := tr.Ledger("nope"); err == nil {
		t.Error("a ledger for a step the runbook does not have")
	}
}

func TestAResumedRunSaysWhichChangesItMustReconcile(t *testing.T) {
	tr := newTestRun(t, containAction())
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	c := steps.Change{ID: "UpdateAccessKey/AKIAFROMRUNBOOK", Op: "iam:UpdateAccessKey", Target: "AKIAFROMRUNBOOK", Summary: "deactivate AKIAFROMRUNBOOK"}
	if err := ledger.Intend(c); err != nil {
		t.Fatal(err)
	}
	// Killed here. The next run resumes from the journal.
	if _, err := reopen(t, tr, steps.Live); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	note := entries[len(entries)-1]
	if !strings.Contains(note.Message, "1 change was intended and never settled") {
		t.Fatalf("the resume note: %s", note.Message)
	}
	pending, _ := note.Data.(map[string]any)["pending_changes"].([]any)
	if len(pending) != 1 || field(pending[0].(map[string]any)["change"], "id") != c.ID {
		t.Errorf("the note's data: %#v", note.Data)
	}
}
