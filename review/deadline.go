package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lockdown/runbooks"
	"lockdown/steps"
)

// DeadlineError is the apply-wide deadline passing: what is not settled by then is given up on,
// reported unknown with this as its cause, so an on-call is never left watching a spinner.
type DeadlineError struct {
	At    time.Time
	After time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("the apply's deadline passed at %s (--deadline %s)", e.At.Local().Format("15:04:05"), e.After)
}

// stopped is why ctx ended, in words, or "" while it runs.
func stopped(ctx context.Context) string {
	if ctx.Err() == nil {
		return ""
	}
	return context.Cause(ctx).Error()
}

// because says why a step failed, naming the deadline when it was the cause.
func because(ctx context.Context, err error) string {
	if why := stopped(ctx); why != "" && !strings.Contains(err.Error(), why) {
		return why + ": " + err.Error()
	}
	return err.Error()
}

// afterDeadline accounts for a step the apply never reached: its reviewed changes were not
// applied, and whether they are still needed is unknown.
func (a *applier) afterDeadline(ctx context.Context, step *runbooks.Step) {
	ps, ok := a.doc.Step(step.ID)
	switch {
	case !ok || step.Manual:
		return
	case ps.Status == PlanPlanned && len(ps.Changes) > 0:
		a.unknownChanges(ps.Changes, stopped(ctx))
		a.refuse(step.ID, fmt.Sprintf("NOT applied: %s before this step; its %d reviewed changes are unknown: apply again", stopped(ctx), len(ps.Changes)))
	case ps.Status == PlanInspected:
		a.refuse(step.ID, fmt.Sprintf("NOT inspected again: %s before this step", stopped(ctx)))
	}
}

// unknownChanges prints changes that were not applied, with why.
func (a *applier) unknownChanges(changes []steps.Change, why string) {
	for _, c := range changes {
		a.printf("      ? NOT applied, unknown: %s — %s\n", ChangeLine(c), why)
	}
}

// unsettled prints the changes of a step the deadline cut short that got no result: they were not
// made, or were made without an answer — the journal holds each one's intent, and a later apply
// or resume reads the account to settle it.
func (a *applier) unsettled(ctx context.Context, fresh []steps.Change, out *steps.Outcome) {
	if ctx.Err() == nil {
		return
	}
	settled := map[string]bool{}
	if out != nil {
		for _, r := range out.Results {
			settled[r.ChangeID] = true
		}
	}
	var left []steps.Change
	for _, c := range fresh {
		if !settled[c.ID] {
			left = append(left, c)
		}
	}
	a.unknownChanges(left, stopped(ctx))
}
