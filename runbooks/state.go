package runbooks

import (
	"context"
	"errors"
	"fmt"

	"lockdown/aws"
	"lockdown/steps"
)

// States that say what a dry run and an interruption really did, so no screen or report calls a
// step done when nothing was done to the account.
const (
	// StateChecked: a read-only step looked at the account, or a manual checklist was gone
	// through, in a dry run.
	StateChecked StepState = "checked"
	// StatePlanned: a dry run carried a step's plan through Apply, which only checked it; nothing
	// changed.
	StatePlanned StepState = "planned (dry-run)"
	// StateCancelled: the operator cancelled the step's action (esc, or quitting while it ran).
	// Like failed it can be retried, but it is not a failure of the step.
	StateCancelled StepState = "cancelled"
)

// CancelledError says what the operator cancelled; it matches context.Canceled, so callers can
// tell a cancellation from a failure.
type CancelledError struct{ What string }

func (e *CancelledError) Error() string { return e.What }
func (e *CancelledError) Unwrap() error { return context.Canceled }

// Settled reports whether the step is finished as far as the steps that need it are concerned.
func (s StepState) Settled() bool {
	return s == StateSkipped || s.Finished()
}

// Finished reports whether the step's work is complete: done, or in a dry run checked or planned.
func (s StepState) Finished() bool {
	return s == StateDone || s == StateChecked || s == StatePlanned
}

// finishedIn is the state a finished step takes in mode: done only when the run may change the
// account; otherwise dry, what the dry run really did.
func finishedIn(mode steps.Mode, dry StepState) StepState {
	if mode.Changes() {
		return StateDone
	}
	return dry
}

// title names a step the way the operator sees it.
func title(st *StepStatus) string {
	if st.Step.Title != "" {
		return fmt.Sprintf("%q", st.Step.Title)
	}
	return fmt.Sprintf("%q", st.Step.ID)
}

// cancelled records that the operator stopped the step's action. An earlier inspection is put
// back with the state it had: a cancelled re-inspection must not throw away good findings.
func (r *Run) cancelled(env *steps.Env, stepID string, prior *StepStatus, what string) error {
	r.mu.Lock()
	st := r.status[stepID]
	state, msg := StateCancelled, what+" cancelled by the operator"
	if prior != nil && prior.Inspection != nil {
		st.Inspection, st.Plan, st.Outcome, st.Err = prior.Inspection, prior.Plan, prior.Outcome, prior.Err
		state, msg = prior.State, msg+"; the earlier findings stand"
	} else {
		st.Err = msg
	}
	st.State = state
	r.mu.Unlock()
	rerr := r.record(r.entry(env, stepID, KindNote, msg, nil),
		r.entry(env, stepID, KindState, string(state), stateData{State: state}))
	return errors.Join(&CancelledError{What: msg}, rerr)
}

// wasCancelled reports whether an action's error came from the operator cancelling ctx.
func wasCancelled(ctx context.Context, err error) bool {
	return err != nil && errors.Is(ctx.Err(), context.Canceled)
}

// wrongAccount is the mismatch with --account an identity inspection revealed, or nil. Confirming
// the wrong account is the step's failure, not a footnote to its success.
func wrongAccount(env *steps.Env, found *steps.Inspection) error {
	if env.Account == nil {
		return nil
	}
	switch found.Data.(type) {
	case aws.Identity, *aws.Identity:
	default:
		return nil
	}
	var wrong *aws.WrongAccountError
	if err := env.Account.Guard().Mismatch(); errors.As(err, &wrong) {
		return fmt.Errorf("wrong account: these credentials are for account %s, but --account names %s; every change will be refused",
			wrong.Actual, wrong.Expected)
	}
	return nil
}
