package runbooks

import (
	"context"
	"testing"

	"lockdown/steps"
)

// A run's mode is its account's: an Env handed in with another account (a dry-run one next to a
// live account, the mismatch the review found) cannot make steps see a different mode than the
// changes Apply is given.
func TestTheRunsAccountDecidesTheModeStepsSeeAndTheChangesApplyGets(t *testing.T) {
	reg := steps.NewRegistry(&fakeAction{spec: steps.Spec{Name: "identity.confirm", ReadOnly: true}}, containAction())
	rb, err := Parse("test.yaml", []byte(runYAML), reg)
	if err != nil {
		t.Fatal(err)
	}
	live, dry := testAccount(t, steps.Live), testAccount(t, steps.DryRun)
	r, err := NewRun(Config{Runbook: rb, Registry: reg, Journal: openTestJournal(t), Account: live,
		Env: steps.Env{Account: dry.ReadOnly()}})
	if err != nil {
		t.Fatal(err)
	}
	contain, _ := r.Action("contain")
	fake := contain.(*fakeAction)
	tr := testRun{Run: r, contain: fake}
	plan := tr.planned(t)
	if _, err := r.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	env := fake.lastEnv()
	if r.Mode() != steps.Live || env.Mode() != steps.Live || fake.changes[0].Mode() != steps.Live {
		t.Fatalf("run %s, step env %s, changes %s: all must be the account's live mode", r.Mode(), env.Mode(), fake.changes[0].Mode())
	}
}
