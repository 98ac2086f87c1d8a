package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"lockdown/runbooks"
	"lockdown/steps"
)

// applier carries out a reviewed plan step by step, in runbook order.
type applier struct {
	g       *Globals
	run     *runbooks.Run
	doc     *runbooks.PlanDocument
	secrets *secretsFile
	// blocked holds, per step that drifted or failed, why the steps that need it are skipped.
	blocked map[string]string
	// applied and undone count steps; undone ones make apply exit 3.
	applied, undone int
	log             *progressLog
}

// applyStep re-inspects and re-plans one step of the reviewed plan and applies it only when the
// fresh changes are exactly the reviewed ones. The operator's consent covers what the reviewer
// saw and nothing else, so anything added since must go through a new review.
func (a *applier) applyStep(ctx context.Context, step *runbooks.Step) {
	ps, _ := a.doc.Step(step.ID) // samePlanSteps made sure every step is there
	if reason := a.blockedBy(step); reason != "" {
		a.setAside(step.ID, reason, true)
		return
	}
	switch {
	case step.Manual:
		a.g.eprintf("%s: manual, still to do by hand: %s\n", step.ID, strings.Join(step.Checklist, "; "))
		return
	case ps.Status == runbooks.PlanInspected:
		a.record(ctx, step.ID, ps)
		return
	case len(ps.Changes) == 0:
		a.skip(step.ID, "nothing to apply in the reviewed plan")
		return
	case ps.Status != runbooks.PlanPlanned:
		a.setAside(step.ID, fmt.Sprintf("the reviewed plan shows this step %s (%s): plan again", ps.Status, ps.Reason), true)
		return
	}
	a.g.eprintf("%s: inspecting again\n", step.ID)
	found, err := a.run.Inspect(ctx, step.ID, ps.Inputs, a.progress(step.ID))
	if err != nil {
		a.setAside(step.ID, "FAILED: "+err.Error(), false)
		return
	}
	fresh, err := a.run.Plan(ctx, step.ID, reviewSelection(ps.Selected, found.Table))
	if err != nil {
		a.setAside(step.ID, "cannot plan the reviewed selection again, so nothing was applied: "+err.Error(), true)
		return
	}
	drift := runbooks.CompareChanges(ps.Changes, fresh.Changes)
	if len(drift.Added) > 0 {
		a.refuseDrift(step.ID, drift)
		return
	}
	// Fewer changes than reviewed is not drift that needs a new review: every change left was
	// reviewed, and the others are done already (often by an earlier step of this very apply).
	for _, c := range drift.Gone {
		a.g.eprintf("      = no longer needed:    %s\n", changeLine(c))
	}
	if len(fresh.Changes) == 0 {
		a.skip(step.ID, "every reviewed change is already done")
		return
	}
	a.g.eprintf("%s: applying %d reviewed changes\n", step.ID, len(fresh.Changes))
	out, err := a.run.Apply(ctx, step.ID, fresh, fresh.Confirm.Typed, a.progress(step.ID))
	a.report(step.ID, out, err)
}

// reviewSelection is what to plan again: the reviewed selection, less what is gone from the
// account, plus what the fresh inspection proposes that the reviewer never saw (an instance the
// attacker launched since). Planning those too makes them show up as drift instead of being
// silently left running, and what is gone shows up as changes no longer needed.
func reviewSelection(reviewed []string, table *steps.Table) []string {
	if table == nil {
		return reviewed
	}
	present := make(map[string]bool, len(table.Rows))
	for _, r := range table.Rows {
		present[r.ID] = true
	}
	var out []string
	for _, id := range reviewed {
		if present[id] {
			out = append(out, id)
		}
	}
	for _, id := range table.SelectedIDs() {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// refuseDrift prints what the fresh plan would add to the reviewed one, and sets the step aside,
// applying nothing of it: those changes were never reviewed.
func (a *applier) refuseDrift(stepID string, d runbooks.Drift) {
	a.g.eprintf("%s: DRIFT since the plan was reviewed; nothing of this step is applied\n", stepID)
	for _, c := range d.Added {
		a.g.eprintf("      + added since review:  %s\n", changeLine(c))
	}
	for _, c := range d.Gone {
		a.g.eprintf("      - no longer needed:    %s\n", changeLine(c))
	}
	reason := fmt.Sprintf("skipped for drift: %d changes added since review; plan again and review", len(d.Added))
	a.setAside(stepID, reason, true)
}

// report prints every result of a step, saves new secrets, and shows follow-up plans as needing
// their own review: they were not in the plan, so they are not applied here.
func (a *applier) report(stepID string, out *steps.Outcome, err error) {
	if out != nil {
		for _, r := range out.Results {
			a.g.eprintf("      %-12s %s %s\n", r.Status, r.ChangeID, strings.TrimSpace(r.Code+" "+r.Message))
		}
		for _, f := range out.Facts {
			a.g.eprintf("      %s: %s\n", f.Label, f.Value)
		}
		if serr := a.saveSecrets(out.Secrets); serr != nil {
			err = errors.Join(err, serr)
		}
	}
	switch {
	case err != nil:
		a.setAside(stepID, "FAILED: "+err.Error(), false)
	case out.Failed() > 0:
		a.setAside(stepID, fmt.Sprintf("FAILED: %d of %d changes failed", out.Failed(), len(out.Results)), false)
	case out.FollowUp != nil:
		a.g.eprintf("%s: a further plan needs a new review and was NOT applied: %s\n", stepID, out.FollowUp.Confirm.Prompt)
		for _, c := range out.FollowUp.Changes {
			a.g.eprintf("      ? %s\n", changeLine(c))
		}
		a.undone++
		_ = a.run.Complete(stepID) // what was reviewed is done; later steps may go on
	default:
		a.applied++
		a.g.eprintf("%s: done\n", stepID)
	}
}

// saveSecrets writes new secret access keys to the operator's file, then wipes them from memory.
// They are never printed.
func (a *applier) saveSecrets(secrets []steps.Secret) error {
	if len(secrets) == 0 {
		return nil
	}
	defer func() {
		for _, s := range secrets {
			s.Wipe()
		}
	}()
	if err := a.secrets.save(secrets); err != nil {
		return err
	}
	a.g.eprintf("      %d new secret access keys saved to %s\n", len(secrets), a.secrets.path)
	return nil
}

// setAside records a step that was not applied: in the journal when it never started, and as a
// reason for the steps that need it to be skipped too.
func (a *applier) setAside(stepID, reason string, skip bool) {
	a.undone++
	a.blocked[stepID] = fmt.Sprintf("step %q was not applied", stepID)
	if skip {
		a.skip(stepID, reason)
		return
	}
	a.g.eprintf("%s: %s\n", stepID, reason)
}

// record inspects a read-only step again, so the live journal holds what it sees now (the account
// confirmed, the instances left) next to what apply changed.
func (a *applier) record(ctx context.Context, stepID string, ps *runbooks.PlanStep) {
	found, err := a.run.Inspect(ctx, stepID, ps.Inputs, a.progress(stepID))
	if err != nil {
		a.setAside(stepID, "FAILED: "+err.Error(), false)
		return
	}
	a.g.eprintf("%s: %s\n", stepID, found.Summary)
}

func (a *applier) skip(stepID, reason string) {
	if err := a.run.Skip(stepID, reason); err != nil {
		a.g.eprintf("%s: %v\n", stepID, err)
	}
	a.g.eprintf("%s: %s\n", stepID, reason)
}

func (a *applier) blockedBy(step *runbooks.Step) string {
	for _, need := range step.Needs {
		if reason, ok := a.blocked[need]; ok {
			return "skipped: " + reason
		}
	}
	return ""
}

func (a *applier) progress(stepID string) func(steps.Progress) {
	return a.log.reporter(stepID, false)
}

func (a *applier) printTotals() {
	a.g.eprintf("\n%d steps applied, %d drifted, failed or left something undone\n", a.applied, a.undone)
}

// progressLog prints progress lines from an action's parallel workers one at a time.
type progressLog struct {
	mu sync.Mutex
	g  *Globals
}

// reporter prints failures of a step's regions or items, and with done also those that finished.
func (l *progressLog) reporter(stepID string, done bool) func(steps.Progress) {
	return func(pr steps.Progress) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch {
		case pr.State == steps.Failed:
			l.g.eprintf("%s: %-16s FAILED %s %s\n", stepID, pr.Key, pr.Code, pr.Err)
		case pr.State == steps.Done && done:
			l.g.eprintf("%s: %-16s done\n", stepID, pr.Key)
		}
	}
}
