package review

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"lockdown/runbooks"
	"lockdown/steps"
)

// ApplyOptions are what apply needs beyond the run and the plan.
type ApplyOptions struct {
	// Out receives progress, drift and results (stderr).
	Out io.Writer
	// Secrets keeps the secrets of keys that rotation creates.
	Secrets *SecretsFile
	// JournalDir holds the journals of earlier applies, whose new keys are lockdown's own.
	JournalDir string
}

// Totals count the steps of an apply; any undone step makes apply exit 3. FollowUps counts the
// applied steps that offered a further plan for a new review: not undone.
type Totals struct {
	Applied, Undone, FollowUps int
}

// Apply carries out a reviewed plan step by step, in runbook order. Each step is inspected and
// planned again and applied only when the fresh changes are the reviewed ones: the operator's
// consent covers what the reviewer saw and nothing else, so anything added since must go through
// a new review.
func Apply(ctx context.Context, run *runbooks.Run, doc *PlanDocument, opts ApplyOptions) Totals {
	digest := doc.Digest()
	a := &applier{run: run, doc: doc, opts: opts, blocked: gate{}, log: &progressLog{out: opts.Out}, digest: digest, current: run.JournalPath()}
	if err := run.Note("", appliedNote(digest)); err != nil {
		a.printf("the journal could not record which plan this is: %v\n", err)
	}
	if opts.Secrets != nil && opts.Secrets.Path() != "" {
		if path, err := filepath.Abs(opts.Secrets.Path()); err == nil {
			_ = run.Note("", secretsNote+path)
		}
	}
	if opts.JournalDir != "" {
		// Before the keys are read: a reconciled create is an earlier key too.
		a.reconcile(ctx, digest)
	}
	for _, step := range run.Runbook().Steps {
		if ctx.Err() != nil {
			a.afterDeadline(ctx, step)
			continue
		}
		a.applyStep(ctx, step)
	}
	a.printf("\n%d steps applied, %d drifted, failed or left something undone\n", a.totals.Applied, a.totals.Undone)
	if a.totals.FollowUps > 0 {
		a.printf("%d further plans were offered for a new review (see above); they are not part of this plan\n", a.totals.FollowUps)
	}
	return a.totals
}

type applier struct {
	run     *runbooks.Run
	doc     *PlanDocument
	opts    ApplyOptions
	blocked gate
	totals  Totals
	log     *progressLog
	// digest names the plan; current is this apply's journal, among those of its other applies.
	digest, current string
	// said are the rows of the step under way already reported done or no longer needed: their
	// changes are not listed again one by one.
	said map[string]bool
}

func (a *applier) printf(format string, args ...any) { fmt.Fprintf(a.opts.Out, format, args...) }

func (a *applier) applyStep(ctx context.Context, step *runbooks.Step) {
	ps, ok := a.doc.Step(step.ID)
	if !ok {
		a.refuse(step.ID, "the reviewed plan has no such step")
		return
	}
	a.recordKeeps(ps)
	if reason := a.blocked.blockedBy(step); reason != "" {
		a.setAside(step.ID, "skipped: "+reason)
		return
	}
	// The status comes before the changes: a step that failed in the dry-run has no changes
	// because it could not see what to change, not because there is nothing to do.
	switch {
	case step.Manual:
		a.printf("%s: manual, still to do by hand: %s\n", step.ID, strings.Join(step.Checklist, "; "))
	case ps.Status == PlanFailed:
		a.refuse(step.ID, fmt.Sprintf("FAILED in the reviewed plan (%s): NOT applied; fix the cause, plan again and review", ps.Reason))
	case ps.Status == PlanInspected:
		a.record(ctx, step.ID, ps)
	case ps.Status == PlanPlanned && len(ps.Changes) > 0:
		a.applyChanges(ctx, ps)
	case len(ps.Changes) > 0:
		a.refuse(step.ID, fmt.Sprintf("the reviewed plan shows this step %s yet lists changes: it was edited; plan again", ps.Status))
	default:
		a.skip(step.ID, strings.TrimSuffix("nothing to apply in the reviewed plan: "+string(ps.Status)+" "+ps.Reason, " "))
	}
}

// applyChanges inspects and plans the step again, and applies the reviewed changes that are
// still needed, unless the account or the file has anything the reviewer did not approve.
func (a *applier) applyChanges(ctx context.Context, ps *PlanStep) {
	a.printf("%s: inspecting again\n", ps.Step)
	a.said = map[string]bool{}
	found, err := a.run.Inspect(ctx, ps.Step, ps.Inputs, a.log.reporter(ps.Step, false))
	if err != nil {
		a.unsettled(ctx, ps.Changes, nil)
		a.failed(ps.Step, "FAILED: "+because(ctx, err))
		return
	}
	selection, begun := a.settledRows(ps, found.Table, reviewSelection(ps.Selected, ps.Kept, found.Table))
	if against := againstVerdict(ps, found.Table, selection, begun); len(against) > 0 {
		for _, what := range against {
			a.printf("      !! REFUSED, against lockdown's verdict and not marked the operator's choice: %s\n", what)
		}
		a.refuse(ps.Step, fmt.Sprintf("REFUSED: %d rows are selected against lockdown's verdict without being the operator's choice in the plan; nothing of this step is applied", len(against)))
		return
	}
	for _, c := range ps.Choices {
		a.printf("      !! OPERATOR'S CHOICE, AGAINST LOCKDOWN'S VERDICT: %s (judged %s when planned); reason given: %s\n", c.ID, c.Verdict, c.Reason)
	}
	if found.Table != nil && found.Table.Selectable && len(selection) == 0 {
		// Every reviewed row is gone (an earlier apply terminated the instances): there is
		// nothing left to plan, which is not a failure to plan.
		a.nothingLeft(ps.Step, a.splitGone(ps.Changes, uninspected(found)))
		return
	}
	fresh, err := a.run.Plan(ctx, ps.Step, selection)
	if err != nil {
		a.setAside(ps.Step, "cannot plan the reviewed selection again, so nothing was applied: "+err.Error())
		return
	}
	drift := CompareChanges(ps.Changes, fresh.Changes)
	if len(drift.Added) > 0 {
		a.refuseDrift(ps.Step, drift)
		return
	}
	unknown := a.splitGone(drift.Gone, uninspected(found))
	if len(fresh.Changes) == 0 {
		a.nothingLeft(ps.Step, unknown)
		return
	}
	a.printf("%s: applying %d reviewed changes\n", ps.Step, len(fresh.Changes))
	out, err := a.run.Apply(ctx, ps.Step, fresh, fresh.Confirm.Typed, a.log.reporter(ps.Step, false))
	a.unsettled(ctx, fresh.Changes, out)
	clean := a.report(ps.Step, out, err)
	if len(unknown) > 0 {
		// The step is counted once, as failed: what was reachable is applied, the rest unknown.
		if clean {
			a.totals.Applied--
		} else {
			a.totals.Undone--
		}
		a.refuseUnknown(ps.Step, unknown)
	}
}

// uninspected returns the regions or items the fresh inspection could not read or left out.
func uninspected(found *steps.Inspection) map[string]string {
	out := map[string]string{}
	for _, p := range found.Progress {
		switch p.State {
		case steps.Failed:
			out[p.Key] = strings.TrimSpace(p.Code + " " + p.Err)
		case steps.Skipped:
			out[p.Key] = strings.TrimSpace(p.Code + " " + p.Note)
		}
	}
	return out
}

// splitGone prints the reviewed changes the fresh plan no longer has, and returns those whose
// region or target could not be inspected again: nobody knows whether they are still needed, so
// they are failed, never "no longer needed". The others are done already (often by an earlier
// step of this very apply) and need no new review: every change left was reviewed.
func (a *applier) splitGone(gone []steps.Change, failed map[string]string) []steps.Change {
	var unknown []steps.Change
	for _, c := range gone {
		why, ok := failed[c.Region]
		if !ok {
			why, ok = failed[c.Target]
		}
		if ok {
			unknown = append(unknown, c)
			a.printf("      ? NOT applied, unknown: %s — could not be inspected again: %s\n", ChangeLine(c), why)
			continue
		}
		if !a.said[c.Row] || c.Row == "" {
			a.printf("      = no longer needed:    %s\n", ChangeLine(c))
		}
	}
	return unknown
}

// nothingLeft ends a step none of whose reviewed changes is left to make: done, unless some
// could not be inspected again.
func (a *applier) nothingLeft(stepID string, unknown []steps.Change) {
	if len(unknown) == 0 {
		a.skip(stepID, "every reviewed change is already done")
		return
	}
	a.refuseUnknown(stepID, unknown)
}

func (a *applier) refuseUnknown(stepID string, unknown []steps.Change) {
	a.refuse(stepID, fmt.Sprintf("FAILED: %d reviewed changes were NOT applied because their region or item could not be inspected again (unknown); apply again once it can be read", len(unknown)))
}

// refuseDrift prints what the fresh plan would add to the reviewed one, and sets the step aside,
// applying nothing of it: those changes were never reviewed.
func (a *applier) refuseDrift(stepID string, d Drift) {
	a.printf("%s: DRIFT since the plan was reviewed; nothing of this step is applied\n", stepID)
	for _, c := range d.Added {
		a.printf("      + added since review:  %s\n", ChangeLine(c))
	}
	for _, c := range d.Gone {
		a.printf("      - no longer needed:    %s\n", ChangeLine(c))
	}
	a.setAside(stepID, fmt.Sprintf("skipped for drift: %d changes added since review; plan again and review", len(d.Added)))
}

// record inspects a read-only step again, so the live journal holds what it sees now (the account
// confirmed, the instances left) next to what apply changed.
func (a *applier) record(ctx context.Context, stepID string, ps *PlanStep) {
	found, err := a.run.Inspect(ctx, stepID, ps.Inputs, a.log.reporter(stepID, false))
	if err != nil {
		a.failed(stepID, "FAILED: "+because(ctx, err))
		return
	}
	a.printf("%s: %s\n", stepID, found.Summary)
	if found.Open > 0 {
		// The verification found the attacker not out: applying the plan did not finish the
		// response, and the exit status must say so.
		a.totals.Undone++
		for _, row := range found.Table.Rows {
			a.printf("      ! remains: %s%s\n", strings.Join(row.Cells, " · "), reasonSuffix(row.Reasons))
		}
	}
}

func reasonSuffix(reasons []string) string {
	if len(reasons) == 0 {
		return ""
	}
	return " (" + strings.Join(reasons, "; ") + ")"
}

// setAside journals a step as skipped and counts it undone; the steps that need it are skipped.
func (a *applier) setAside(stepID, reason string) {
	a.block(stepID)
	skipStep(a.run, a.opts.Out, stepID, reason)
}

// refuse journals a step as failed without running it and counts it undone.
func (a *applier) refuse(stepID, reason string) {
	a.block(stepID)
	if err := a.run.Refuse(stepID, reason); err != nil {
		a.printf("%s: %v\n", stepID, err)
	}
	a.printf("%s: %s\n", stepID, reason)
}

// failed counts a step the run already journaled as failed.
func (a *applier) failed(stepID, reason string) {
	a.block(stepID)
	a.printf("%s: %s\n", stepID, reason)
}

func (a *applier) block(stepID string) {
	a.totals.Undone++
	a.blocked[stepID] = fmt.Sprintf("step %q was not applied", stepID)
}

// skip journals a step with nothing to apply; it is not a failure.
func (a *applier) skip(stepID, reason string) {
	skipStep(a.run, a.opts.Out, stepID, reason)
}
