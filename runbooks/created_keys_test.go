package runbooks

import (
	"testing"

	"lockdown/steps"
)

func TestCreatedKeysAreOnlyTheKeysLockdownCreated(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, "20261128-030000-live")
	if err != nil {
		t.Fatal(err)
	}
	record := func(kind, change, status, message string) {
		t.Helper()
		if err := j.Record(Entry{Kind: kind, Step: "rotate-keys", Data: map[string]any{"change": change, "status": status, "message": message}}); err != nil {
			t.Fatal(err)
		}
	}
	record(KindApplied, "create/ci-deploy", string(steps.StatusApplied), "created AKIAEXAMPLEOWNROT001 for ci-deploy")
	record(KindApplied, "deactivate/ci-deploy/AKIAEXAMPLELEAKED001", string(steps.StatusApplied), "AKIAEXAMPLELEAKED001 is now Inactive")
	record(KindApplied, "create/alice", string(steps.StatusFailed), "could not create AKIAEXAMPLENEVER0001")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got := CreatedKeys(dir)
	if len(got) != 1 || !got["AKIAEXAMPLEOWNROT001"] {
		t.Errorf("got %v, want only the key lockdown created", got)
	}
}
