package runbooks

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

// reopen starts a second run on the same journal file, as lockdown does after a crash.
func reopen(t *testing.T, tr testRun, mode steps.Mode) (*Run, error) {
	t.Helper()
	j, err := OpenJournal(filepath.Dir(tr.journal.Path()), tr.journal.Incident())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	entries, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRun(Config{Runbook: tr.Runbook(), Registry: tr.cfg.Registry, Journal: j, Account: testAccount(t, mode),
		Env: steps.Env{Now: time.Now}})
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Resume(entries)
}

func TestResumingRestoresStatesTicksSkipsAndInputs(t *testing.T) {
	tr := newTestRun(t, containAction())
	plan := tr.planned(t) // contain is waiting with a plan
	_ = plan
	if err := tr.Tick("root", 1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Inspect(context.Background(), "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	r, err := reopen(t, tr, steps.Live)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Status("confirm").State; got != StateDone {
		t.Errorf("confirm is %s after resuming, want done", got)
	}
	contain := r.Status("contain")
	if contain.State != StatePending || contain.Plan != nil || contain.Inputs["key"] != "AKIAFROMRUNBOOK" {
		t.Errorf("a step that waited for confirmation must be pending again with its inputs and no plan: %+v", contain)
	}
	if root := r.Status("root"); root.Checked[0] || !root.Checked[1] {
		t.Errorf("ticks after resuming: %v", root.Checked)
	}
	if err := r.Skip("root", "handled by the account owner"); err != nil {
		t.Fatal(err)
	}
	again, err := reopen(t, testRun{Run: r, journal: tr.journal}, steps.Live)
	if err != nil {
		t.Fatal(err)
	}
	if root := again.Status("root"); root.State != StateSkipped || root.Reason != "handled by the account owner" {
		t.Errorf("skip after a second resume: %+v", root)
	}
}

func TestADryRunJournalCannotBeResumedLive(t *testing.T) {
	tr := newTestRun(t, containAction()) // recorded in live mode
	if _, err := reopen(t, tr, steps.DryRun); err == nil || !strings.Contains(err.Error(), "start a new incident") {
		t.Fatalf("resuming in another mode must be refused, got %v", err)
	}
}
