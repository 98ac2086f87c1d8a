package runbooks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

const runYAML = `id: test
title: Test procedure
steps:
  - id: confirm
    title: Confirm the account
    action: identity.confirm
  - id: contain
    title: Contain the key
    action: fake.contain
    with: {key: AKIAFROMRUNBOOK}
    needs: [confirm]
  - id: root
    title: Secure root
    manual: true
    checklist: [Change the root password, Enable root MFA]
    needs: [confirm]
`

const account = "111122223333"

// containAction plans one change per selected row and asks for the account id to be typed.
func containAction() *fakeAction {
	return &fakeAction{
		spec: steps.Spec{Name: "fake.contain",
			Params: []steps.Param{{Name: "key", Type: steps.TypeString}},
			Inputs: []steps.Input{{Name: "key", Prompt: "Leaked access key id", Validate: func(s string) error {
				if !strings.HasPrefix(s, "AKIA") {
					return errors.New("an access key id starts with AKIA")
				}
				return nil
			}}}},
		inspect: func(env *steps.Env) (*steps.Inspection, error) {
			return &steps.Inspection{Summary: "1 key found", Table: &steps.Table{Rows: []steps.Row{
				{ID: env.Inputs["key"], Tone: steps.ToneRogue, Reasons: []string{"leaked"}, Selected: true}}}}, nil
		},
		plan: func(_ *steps.Env, _ *steps.Inspection, selected []string) (*steps.Plan, error) {
			p := &steps.Plan{Confirm: steps.Confirm{Prompt: "Type the account id", Typed: account}}
			for _, id := range selected {
				p.Changes = append(p.Changes, steps.Change{ID: "deactivate-" + id, Op: "UpdateAccessKey", Target: id,
					Summary: "deactivate " + id, Destructive: true})
			}
			return p, nil
		},
	}
}

type testRun struct {
	*Run
	journal *Journal
	contain *fakeAction
}

func newTestRun(t *testing.T, contain *fakeAction) testRun {
	t.Helper()
	return newTestRunIn(t, steps.Live, &fakeAction{spec: steps.Spec{Name: "identity.confirm", ReadOnly: true}}, contain, account)
}

// newTestRunIn builds a run in mode whose credentials belong to actual, with --account naming
// the test's account.
func newTestRunIn(t *testing.T, mode steps.Mode, identity, contain *fakeAction, actual string) testRun {
	t.Helper()
	reg := steps.NewRegistry(identity, contain)
	rb, err := Parse("test.yaml", []byte(runYAML), reg)
	if err != nil {
		t.Fatal(err)
	}
	// The simulated credentials belong to account; another actual account is played by naming it
	// with --account instead, which the guard sees as the same mismatch.
	expected := account
	if actual != account {
		expected = actual
	}
	j := openTestJournal(t)
	clock := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	r, err := NewRun(Config{Runbook: rb, Registry: reg, Journal: j, Account: testAccountExpecting(t, mode, expected), Env: steps.Env{
		Since: clock.Add(-6 * time.Hour),
		Now:   func() time.Time { return clock },
	}})
	if err != nil {
		t.Fatal(err)
	}
	return testRun{Run: r, journal: j, contain: contain}
}

// entries returns the journal's entries of one kind for one step.
func (tr testRun) entries(t *testing.T, step, kind string) []Entry {
	t.Helper()
	all, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	for _, e := range all {
		if e.Step == step && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (tr testRun) mustState(t *testing.T, step string, want StepState) {
	t.Helper()
	if got := tr.Status(step); got.State != want {
		t.Fatalf("step %s is %s (err %q), want %s", step, got.State, got.Err, want)
	}
}

// planned takes the contain step to a plan waiting for confirmation.
func (tr testRun) planned(t *testing.T) *steps.Plan {
	t.Helper()
	ctx := context.Background()
	if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	found, err := tr.Inspect(ctx, "contain", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tr.Plan(ctx, "contain", found.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StateWaiting)
	return plan
}

func TestARunRecordsItsStartWithModeAccountAndSince(t *testing.T) {
	tr := newTestRun(t, containAction())
	starts := tr.entries(t, "", KindRunStart)
	if len(starts) != 1 {
		t.Fatalf("%d run-start entries", len(starts))
	}
	e := starts[0]
	data := e.Data.(map[string]any)
	if e.Mode != "live" || e.Account != account || data["runbook"] != "test" || data["since"] != "2026-11-27T21:00:00Z" {
		t.Errorf("run-start %+v", e)
	}
	if got := len(tr.Statuses()); got != 3 {
		t.Errorf("%d statuses", got)
	}
}

func TestAReadOnlyStepIsDoneAfterInspecting(t *testing.T) {
	tr := newTestRun(t, containAction())
	if _, err := tr.Inspect(context.Background(), "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "confirm", StateDone)
	var states []string
	for _, e := range tr.entries(t, "confirm", KindState) {
		states = append(states, e.Message)
	}
	if strings.Join(states, ",") != "running,done" {
		t.Errorf("state entries %v", states)
	}
	if len(tr.entries(t, "confirm", KindFinding)) == 0 {
		t.Error("the inspection summary was not journaled")
	}
}

func TestApplyRefusesAWrongTypedConfirmation(t *testing.T) {
	tests := []struct {
		name  string
		typed string
	}{
		{"nothing typed", ""},
		{"a different account", "999999999999"},
		{"the right account with a trailing space", account + " "},
		{"a plain yes", "yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTestRun(t, containAction())
			plan := tr.planned(t)
			_, err := tr.Apply(context.Background(), "contain", plan, tt.typed, nil)
			if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
				t.Fatalf("Apply with %q: %v", tt.typed, err)
			}
			if n := tr.contain.applyCount(); n != 0 {
				t.Fatalf("the action's Apply ran %d times despite the wrong confirmation", n)
			}
			tr.mustState(t, "contain", StateWaiting)
			if len(tr.entries(t, "contain", KindApplied)) != 0 {
				t.Error("a refused apply was journaled as applied")
			}
		})
	}
}

func TestApplyWithTheTypedConfirmationRecordsEachResult(t *testing.T) {
	tr := newTestRun(t, containAction())
	plan := tr.planned(t)
	out, err := tr.Apply(context.Background(), "contain", plan, account, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StateDone)
	if tr.contain.applyCount() != 1 || len(out.Results) != 1 {
		t.Fatalf("applied %d times, %d results", tr.contain.applyCount(), len(out.Results))
	}
	planned := tr.entries(t, "contain", KindPlanned)
	applied := tr.entries(t, "contain", KindApplied)
	if len(planned) != 1 || planned[0].Message != "deactivate AKIAFROMRUNBOOK" {
		t.Errorf("planned entries %+v", planned)
	}
	if len(applied) != 1 || applied[0].Message != "applied: deactivate AKIAFROMRUNBOOK" || applied[0].Account != account {
		t.Errorf("applied entries %+v", applied)
	}
	if len(tr.entries(t, "contain", KindResult)) != 1 {
		t.Error("no result entry")
	}
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err == nil {
		t.Error("a done step applied the same plan a second time")
	}
}

func TestApplyRefusesAPlanTheRunDidNotProduce(t *testing.T) {
	tr := newTestRun(t, containAction())
	plan := tr.planned(t)
	forged := *plan
	if _, err := tr.Apply(context.Background(), "contain", &forged, account, nil); err == nil {
		t.Fatal("a copy of the plan was applied")
	}
	// Inspecting again makes the earlier plan stale.
	if _, err := tr.Inspect(context.Background(), "contain", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err == nil {
		t.Fatal("a stale plan was applied after a new inspection")
	}
	if tr.contain.applyCount() != 0 {
		t.Error("the action's Apply ran")
	}
}

func TestAFollowUpPlanWaitsForItsOwnConfirmation(t *testing.T) {
	contain := containAction()
	followUp := &steps.Plan{Changes: []steps.Change{{ID: "delete-key", Summary: "delete the key"}},
		Confirm: steps.Confirm{Typed: "delete"}}
	contain.apply = func(_ *steps.Env, plan *steps.Plan) (*steps.Outcome, error) {
		if plan == followUp {
			return &steps.Outcome{Results: []steps.Result{{ChangeID: "delete-key", Status: steps.StatusApplied}}}, nil
		}
		return &steps.Outcome{Results: []steps.Result{{ChangeID: plan.Changes[0].ID, Status: steps.StatusApplied}}, FollowUp: followUp}, nil
	}
	tr := newTestRun(t, contain)
	if _, err := tr.Apply(context.Background(), "contain", tr.planned(t), account, nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StateWaiting)
	if tr.Status("contain").Plan != followUp {
		t.Fatal("the follow-up is not the pending plan")
	}
	if _, err := tr.Apply(context.Background(), "contain", followUp, account, nil); err == nil {
		t.Fatal("the follow-up was applied with the first plan's confirmation")
	}
	if _, err := tr.Apply(context.Background(), "contain", followUp, "delete", nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StateDone)
}

func TestFailedResultsLeaveTheStepFailedAndRetryable(t *testing.T) {
	contain := containAction()
	contain.apply = func(_ *steps.Env, plan *steps.Plan) (*steps.Outcome, error) {
		return &steps.Outcome{Results: []steps.Result{{ChangeID: plan.Changes[0].ID, Status: steps.StatusFailed,
			Code: "Throttling", Message: "rate exceeded"}}}, nil
	}
	tr := newTestRun(t, contain)
	plan := tr.planned(t)
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StateFailed)
	if tr.Failures() != 1 || tr.Status("contain").Err != "1 of 1 changes failed" {
		t.Errorf("failures %d, err %q", tr.Failures(), tr.Status("contain").Err)
	}
	contain.apply = nil
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatalf("retry: %v", err)
	}
	tr.mustState(t, "contain", StateDone)
	if tr.Failures() != 0 {
		t.Errorf("failures %d after a successful retry", tr.Failures())
	}
}

func TestAnActionErrorFailsTheStepAndIsJournaled(t *testing.T) {
	contain := containAction()
	contain.inspect = func(*steps.Env) (*steps.Inspection, error) { return nil, errors.New("AccessDenied: iam:ListUsers") }
	tr := newTestRun(t, contain)
	if _, err := tr.Inspect(context.Background(), "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Inspect(context.Background(), "contain", nil, nil); err == nil {
		t.Fatal("the error was swallowed")
	}
	tr.mustState(t, "contain", StateFailed)
	states := tr.entries(t, "contain", KindState)
	last := states[len(states)-1].Data.(map[string]any)
	if !strings.Contains(last["error"].(string), "AccessDenied") {
		t.Errorf("journaled %v", last)
	}
	if tr.Failures() != 1 {
		t.Errorf("failures %d", tr.Failures())
	}
}
