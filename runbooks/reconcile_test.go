package runbooks

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"lockdown/aws"
	"lockdown/steps"
)

// killedDuringCreate journals alice's new key as intended, then has AWS make it without the run
// hearing back, as when lockdown is killed while the answer travels. It returns the pending
// changes and the key AWS made.
func killedDuringCreate(t *testing.T, tr testRun) ([]PendingChange, string) {
	t.Helper()
	ctx := context.Background()
	before, err := aws.ListAccessKeys(ctx, tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.intend(steps.Change{ID: "create/alice", Op: "iam:CreateAccessKey", Target: "alice", Summary: "create a new access key for alice"}, []string{before[0].ID}); err != nil {
		t.Fatal(err)
	}
	live, err := tr.cfg.Account.Changes()
	if err != nil {
		t.Fatal(err)
	}
	made, _, err := live.CreateKey(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	return PendingChanges(entries), made.ID
}

func settlementOfCreate(t *testing.T, tr testRun) map[string]any {
	t.Helper()
	entries, _ := ReadJournal(tr.journal.Path())
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind == KindSettled && field(e.Data, "change") == "create/alice" {
			return e.Data.(map[string]any)
		}
	}
	t.Fatal("the create was not settled")
	return nil
}

func TestAKeyALostAnswerMadeIsLockdownsWhenItsSecretIsKept(t *testing.T) {
	tr := newTestRun(t, containAction())
	pending, made := killedDuringCreate(t, tr)
	got := tr.Reconcile(context.Background(), pending, func(id string) bool { return id == made })
	if len(got) != 1 || got[0].Outcome != CallDone {
		t.Fatalf("reconciled: %+v", got)
	}
	if s := settlementOfCreate(t, tr); field(s, "ref") != made {
		t.Errorf("the settlement names the key: %v", s)
	}
	keys, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if !slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == made }) {
		t.Errorf("lockdown's key whose secret is kept was deleted: %+v", keys)
	}
	if !CreatedKeys(dirOf(tr))[made] {
		t.Error("the reconciled key is not known as lockdown's own")
	}
}

func TestAKeyALostAnswerMadeWhoseSecretNobodyHoldsIsDeletedAndTheCreateFailed(t *testing.T) {
	tr := newTestRun(t, containAction())
	pending, made := killedDuringCreate(t, tr)
	got := tr.Reconcile(context.Background(), pending, func(string) bool { return false })
	if len(got) != 1 || got[0].Outcome != CallFailed {
		t.Fatalf("reconciled: %+v", got)
	}
	if s := settlementOfCreate(t, tr); !slices.Equal(stringList(s["orphans"]), []string{made}) || field(s, "ref") != "" {
		t.Errorf("the settlement names the deleted key and no new one: %v", s)
	}
	keys, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == made }) || len(keys) != 1 {
		t.Errorf("the key nobody holds the secret of is still there: %+v", keys)
	}
	if CreatedKeys(dirOf(tr))[made] {
		t.Error("a deleted orphan is taken for lockdown's own key")
	}
	entries, _ := ReadJournal(tr.journal.Path())
	if p := PendingChanges(entries); len(p) != 0 {
		t.Errorf("left pending: %+v", p)
	}
}

func dirOf(tr testRun) string { return filepath.Dir(tr.journal.Path()) }

func TestACreateWhoseEarlierKeysWereNotRecordedDeletesNothingOnAGuess(t *testing.T) {
	tr := newTestRun(t, containAction())
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Intend(steps.Change{ID: "create/alice", Op: "iam:CreateAccessKey", Target: "alice", Summary: "create a new access key for alice"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := ReadJournal(tr.journal.Path())
	before, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	got := tr.Reconcile(context.Background(), PendingChanges(entries), func(string) bool { return false })
	if len(got) != 1 || got[0].Outcome != "" {
		t.Errorf("reconciled: %+v", got)
	}
	if after, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false); len(after) != len(before) {
		t.Errorf("keys deleted on a guess: %+v, before %+v", after, before)
	}
}
