package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/runbooks"
	"lockdown/steps"
)

func TestEscCancelsARunningActionAndRetryRunsItAgain(t *testing.T) {
	started := make(chan struct{})
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": blockingAction(started), "terminate": terminateAction()})
	m, _ := newTestModel(t, r)
	cmd := m.Init()
	var msgs []tea.Msg
	done := make(chan struct{})
	go func() { defer close(done); msgs = collectWithin(cmd, 3*time.Second) }()
	<-started
	if !strings.Contains(screen(m), "esc cancels") {
		t.Errorf("running action does not say how to cancel:\n%s", screen(m))
	}
	press(m, "esc")
	<-done
	for _, msg := range msgs {
		m.Update(msg)
	}
	if m.task != nil {
		t.Fatal("the task is still running after esc")
	}
	if !strings.Contains(screen(m), "cancelled by the operator") {
		t.Errorf("cancellation not explained:\n%s", screen(m))
	}
	r.actions["confirm"] = identityAction()
	drain(m, press(m, "r"))
	if !strings.Contains(screen(m), "111122223333") {
		t.Errorf("retry did not confirm the account:\n%s", screen(m))
	}
}

func TestFailedRegionsStayVisibleWithTheirReason(t *testing.T) {
	scan := terminateAction()
	scan.inspect = func(_ context.Context, report func(steps.Progress)) (*steps.Inspection, error) {
		failed := steps.Progress{Key: "ap-south-1", State: steps.Failed, Code: "UnauthorizedOperation", Err: "not allowed here"}
		report(failed)
		ok := steps.Progress{Key: "us-east-1", State: steps.Done, Count: 3}
		report(ok)
		return &steps.Inspection{Summary: "3 instances", Progress: []steps.Progress{failed, ok}, Failed: 1}, nil
	}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": scan})
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "]", "i"))
	got := screen(m)
	for _, want := range []string{"1 done · 1 failed", "ap-south-1", "UnauthorizedOperation: not allowed here"} {
		if !strings.Contains(got, want) {
			t.Errorf("screen lacks %q:\n%s", want, got)
		}
	}
}

func TestInputsAreValidatedBeforeInspecting(t *testing.T) {
	contain := terminateAction()
	contain.spec.Inputs = []steps.Input{{Name: "key", Prompt: "Leaked access key id", Placeholder: "AKIA…",
		Validate: func(s string) error {
			if !strings.HasPrefix(s, "AKIA") {
				return errors.New("an access key id starts with AKIA")
			}
			return nil
		}}}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": contain})
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "]"))
	drain(m, press(m, "enter")) // moving to a step never opens its field by itself
	typeText(m, "ASIA1")
	if !strings.Contains(screen(m), "an access key id starts with AKIA") {
		t.Errorf("no live validation message:\n%s", screen(m))
	}
	drain(m, press(m, "enter"))
	if r.Status("terminate").Inputs != nil {
		t.Fatal("an invalid input was inspected")
	}
	for range 5 {
		press(m, "backspace")
	}
	typeText(m, "AKIAEXAMPLE")
	drain(m, press(m, "enter"))
	if got := r.Status("terminate").Inputs["key"]; got != "AKIAEXAMPLE" {
		t.Fatalf("inspected with key %q", got)
	}
}

func TestAFollowUpPlanGoesThroughItsOwnConfirmationOnTheRealRun(t *testing.T) {
	act := terminateAction()
	applied := 0
	act.apply = func(_ context.Context, plan *steps.Plan) (*steps.Outcome, error) {
		applied++
		out := &steps.Outcome{}
		for _, c := range plan.Changes {
			out.Results = append(out.Results, steps.Result{ChangeID: c.ID, Status: steps.StatusWouldApply})
		}
		if applied == 1 {
			out.FollowUp = &steps.Plan{Changes: []steps.Change{{ID: "del", Op: "DeleteAccessKey", Target: "AKIAOLD", Summary: "delete the old key"}}}
			out.Secrets = []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)}
		}
		return out, nil
	}
	run := newRealRun(t, identityAction(), act)
	m, clock := newTestModel(t, run)
	toPlan(t, m)
	drain(m, press(m, "A"))
	clock.advance(time.Second)
	typeText(m, "terminate 1")
	drain(m, press(m, "enter"))
	if m.secret == nil {
		t.Fatalf("no secret dialog after apply:\n%s", screen(m))
	}
	press(m, "esc") // refused: the secret is kept nowhere
	if m.secret == nil {
		t.Fatal("the dialog closed with the secret kept nowhere")
	}
	press(m, "r")
	drain(m, press(m, "e")) // stored elsewhere, on the operator's word, journaled by the run
	press(m, "esc")
	if !strings.Contains(screen(m), "Follow-up plan: 1 change needs") {
		t.Fatalf("follow-up not offered:\n%s", screen(m))
	}
	drain(m, press(m, "A"))
	clock.advance(time.Second)
	if !strings.Contains(screen(m), "DeleteAccessKey AKIAOLD") {
		t.Fatalf("dialog does not list the follow-up:\n%s", screen(m))
	}
	drain(m, press(m, "y"))
	if applied != 2 {
		t.Fatalf("follow-up applied %d times in all, want the second apply", applied)
	}
	if st := run.Status("terminate"); st.State != runbooks.StatePlanned {
		t.Errorf("step is %s after the follow-up, want planned (dry-run) (err %q)", st.State, st.Err)
	}
}

func TestMovingBetweenStepsNeverTypesIntoAField(t *testing.T) {
	contain := terminateAction()
	contain.spec.Inputs = []steps.Input{{Name: "key", Prompt: "Leaked access key id", Placeholder: "AKIA…"}}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": contain})
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "tab"))
	drain(m, press(m, "tab")) // focus on the panel, as after working on a step
	drain(m, press(m, "]"))
	drain(m, press(m, "]"))
	drain(m, press(m, "["))
	if strings.Contains(screen(m), "> ]") || strings.Contains(screen(m), "> [") {
		t.Errorf("step keys were typed into the field:\n%s", screen(m))
	}
}

func TestAPastedKeyIDLandsInTheStepsFieldAndIsValidated(t *testing.T) {
	contain := terminateAction()
	contain.spec.Inputs = []steps.Input{{Name: "key", Prompt: "Leaked access key id",
		Validate: func(s string) error {
			if len(s) != 20 {
				return fmt.Errorf("an access key id is 20 characters long, this one has %d", len(s))
			}
			return nil
		}}}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": contain})
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "]"))
	m.Update(tea.PasteMsg{Content: "AKIAEXAMPLELEAKED00"})
	if got := screen(m); !strings.Contains(got, "> AKIAEXAMPLELEAKED00") || !strings.Contains(got, "this one has 19") {
		t.Fatalf("the paste did not reach the field or was not validated:\n%s", got)
	}
	typeText(m, "1")
	drain(m, press(m, "enter"))
	if got := r.Status("terminate").Inputs["key"]; got != "AKIAEXAMPLELEAKED001" {
		t.Fatalf("inspected with %q", got)
	}
}

func TestANoteIsRecordedOnTheCurrentStepAndAnEmptyOneRefused(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, _ := newTestModel(t, r)
	m.ctx.Grace = 0
	drain(m, m.Init())
	drain(m, press(m, "N"))
	drain(m, press(m, "enter"))
	if !strings.Contains(screen(m), "the text is required") {
		t.Fatalf("an empty note was not refused:\n%s", screen(m))
	}
	typeText(m, "paged the security team at 03:10")
	drain(m, press(m, "enter"))
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.notes) != 1 || r.notes[0] != "confirm: paged the security team at 03:10" {
		t.Fatalf("notes recorded: %q", r.notes)
	}
}
