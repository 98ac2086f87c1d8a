package runbooks

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/steps"
)

func identityAction(account string) *fakeAction {
	return &fakeAction{spec: steps.Spec{Name: "identity.confirm", ReadOnly: true},
		inspect: func(*steps.Env) (*steps.Inspection, error) {
			return &steps.Inspection{Summary: "who we are", Data: aws.Identity{Account: account}}, nil
		}}
}

func TestADryRunNeverMarksAStepDone(t *testing.T) {
	ctx := context.Background()
	tr := newTestRunIn(t, steps.DryRun, identityAction(account), containAction(), account)
	if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "confirm", StateChecked)

	found, err := tr.Inspect(ctx, "contain", nil, nil) // a checked need lets the next step start
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tr.Plan(ctx, "contain", found.Table.SelectedIDs())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Apply(ctx, "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "contain", StatePlanned)

	for i := range 2 {
		if err := tr.Tick("root", i, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Complete("root"); err != nil {
		t.Fatal(err)
	}
	tr.mustState(t, "root", StateChecked)

	all, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := BuildReport(all).WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Kind == KindState && e.Message == string(StateDone) {
			t.Errorf("the journal records step %s as done in a dry run", e.Step)
		}
	}
	if strings.Contains(md.String(), "— done") || !strings.Contains(md.String(), "contain — planned (dry-run)") ||
		!strings.Contains(md.String(), "confirm — checked") {
		t.Errorf("the report does not tell the dry run's states:\n%s", md.String())
	}
}

func TestACancelledInspectionIsNotAFailureAndKeepsEarlierFindings(t *testing.T) {
	contain := containAction()
	plain := contain.inspect
	var cancelNext bool
	contain.inspect = func(env *steps.Env) (*steps.Inspection, error) {
		if cancelNext {
			return nil, context.Canceled
		}
		return plain(env)
	}
	tr := newTestRun(t, contain)
	ctx := context.Background()
	if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	t.Run("with nothing found before, the step is cancelled", func(t *testing.T) {
		cancelNext = true
		_, err := tr.Inspect(cancelled, "contain", nil, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled inspection returned %v, want a cancellation", err)
		}
		tr.mustState(t, "contain", StateCancelled)
		if n := tr.Failures(); n != 0 {
			t.Errorf("a cancelled inspection counts as %d failures (exit code 3)", n)
		}
	})

	t.Run("earlier findings stand", func(t *testing.T) {
		cancelNext = false
		found, err := tr.Inspect(ctx, "contain", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		cancelNext = true
		if _, err := tr.Inspect(cancelled, "contain", nil, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled inspection returned %v", err)
		}
		st := tr.Status("contain")
		if st.Inspection != found || st.State != StatePending {
			t.Errorf("after a cancelled re-inspection the step is %s with inspection %p, want pending with %p", st.State, st.Inspection, found)
		}
		if n := tr.Failures(); n != 0 {
			t.Errorf("a cancelled re-inspection counts as %d failures", n)
		}
		if _, err := tr.Plan(ctx, "contain", found.Table.SelectedIDs()); err != nil {
			t.Errorf("the kept findings cannot be planned: %v", err)
		}
	})
}

func TestConfirmingTheWrongAccountFailsTheFirstStep(t *testing.T) {
	const other = "999988887777"
	tr := newTestRunIn(t, steps.Live, identityAction(other), containAction(), other)
	found, err := tr.Inspect(context.Background(), "confirm", nil, nil)
	if found == nil {
		t.Fatalf("the identity is not shown: %v", err)
	}
	st := tr.Status("confirm")
	if st.State != StateFailed || !strings.Contains(st.Err, other) || !strings.Contains(st.Err, account) {
		t.Fatalf("confirming account %s with --account %s left the step %s (%q)", other, account, st.State, st.Err)
	}
	if st.Inspection == nil {
		t.Error("the failed step dropped the identity it found")
	}
}

// The verification says "not contained: N remaining" through Open: such a read-only step must not
// show finished (a green tick beside "not contained"), in a drill as in a dry run; once nothing is
// open it finishes.
func TestAReadOnlyStepWithOpenFindingsIsNotFinished(t *testing.T) {
	for _, mode := range []steps.Mode{steps.Drill, steps.DryRun} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			open := 2
			confirm := identityAction(account)
			inner := confirm.inspect
			confirm.inspect = func(env *steps.Env) (*steps.Inspection, error) {
				in, err := inner(env)
				in.Open = open
				return in, err
			}
			tr := newTestRunIn(t, mode, confirm, containAction(), account)
			if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
				t.Fatal(err)
			}
			tr.mustState(t, "confirm", StatePending)
			open = 0
			if _, err := tr.Inspect(ctx, "confirm", nil, nil); err != nil {
				t.Fatal(err)
			}
			tr.mustState(t, "confirm", finishedIn(mode, StateChecked))
		})
	}
}
