package review

import (
	"context"
	"fmt"
	"io"
	"slices"

	"lockdown/runbooks"
	"lockdown/steps"
)

// PlanOptions are what the operator adds to a dry-run from the command line.
type PlanOptions struct {
	// Out receives progress and failures (stderr).
	Out io.Writer
	// Inputs are the operator's answers by input name (access_key_id from --key).
	Inputs map[string]string
	// Choices are rows the operator selects against lockdown's verdict, per step id.
	Choices map[string][]Choice
	// Keeps are items the operator keeps, with the reason, per step id (--keep).
	Keeps map[string][]Kept
}

// MakePlan walks a dry-run of the run's runbook, one step at a time in runbook order, and fills
// doc.Steps. Every planned change is also applied in dry-run, so a missing permission shows up in
// the plan rather than halfway through the real response.
func MakePlan(ctx context.Context, run *runbooks.Run, doc *PlanDocument, opts PlanOptions) {
	p := &planner{run: run, opts: opts, blocked: gate{}, log: &progressLog{out: opts.Out}}
	for _, step := range run.Runbook().Steps {
		doc.Steps = append(doc.Steps, p.planStep(ctx, step))
		p.planned = doc.Steps
	}
}

// planner is one dry-run of a runbook.
type planner struct {
	run     *runbooks.Run
	opts    PlanOptions
	blocked gate
	log     *progressLog
	// planned are the steps planned so far, which the verification's remaining items are weighed against.
	planned []PlanStep
}

func (p *planner) printf(format string, args ...any) { fmt.Fprintf(p.opts.Out, format, args...) }

// planStep inspects, plans and dry-runs one step, or says why it was not planned.
func (p *planner) planStep(ctx context.Context, step *runbooks.Step) PlanStep {
	ps := PlanStep{Step: step.ID, Action: step.Action, Title: step.Title}
	if reason := p.blocked.blockedBy(step); reason != "" {
		return p.notPlanned(ps, reason)
	}
	if step.Manual {
		ps.Status, ps.ManualChecklist = PlanManual, step.Checklist
		p.blocked[step.ID] = fmt.Sprintf("not planned: needs the manual step %q done first", step.ID)
		return ps
	}
	action, _ := p.run.Action(step.ID)
	spec := action.Spec()
	inputs, missing := p.inputsFor(step, spec)
	if missing != "" {
		return p.notPlanned(ps, "not planned: needs "+missing)
	}
	ps.Inputs = inputs
	p.printf("%s: inspecting\n", step.ID)
	found, err := p.run.Inspect(ctx, step.ID, inputs, p.log.reporter(step.ID, true))
	if err != nil {
		return p.failed(ps, err)
	}
	ps.Warnings = append(ps.Warnings, found.Warnings...)
	if found.Failed > 0 {
		ps.Status, ps.Reason = PlanFailed, fmt.Sprintf("%d regions or items could not be inspected: what they hold is unknown", found.Failed)
	}
	if spec.ReadOnly {
		if err := p.addVerifiedKeeps(&ps, found); err != nil {
			return p.failed(ps, err)
		}
		if v, ok := found.Data.(*steps.Verification); ok {
			p.weighRemaining(&ps, v)
			// What the operator keeps is settled for the plan: it no longer counts as failed.
			found.Failed = v.UnknownLeft(keptItemsOf(ps))
		}
		if ps.Status == "" {
			ps.Status = PlanInspected
		}
		return ps
	}
	return p.planChanges(ctx, ps, found)
}

// planChanges plans the default selection, with the operator's choices, and applies it in
// dry-run, which only checks.
func (p *planner) planChanges(ctx context.Context, ps PlanStep, found *steps.Inspection) PlanStep {
	ps.Selected = found.Table.SelectedIDs()
	if err := p.addChoices(&ps, found.Table); err != nil {
		return p.failed(ps, err)
	}
	if err := p.addRowKeeps(&ps, found.Table); err != nil {
		return p.failed(ps, err)
	}
	if found.Table != nil && found.Table.Selectable && len(ps.Selected) == 0 {
		return p.nothingToDo(ps, "nothing is proposed for a change")
	}
	plan, err := p.run.Plan(ctx, ps.Step, ps.Selected)
	if err != nil {
		return p.failed(ps, err)
	}
	ps.Changes, ps.Notes = plan.Changes, plan.Notes
	ps.Warnings = append(ps.Warnings, plan.Warnings...)
	if len(plan.Changes) == 0 {
		return p.nothingToDo(ps, "the plan has no changes")
	}
	p.printf("%s: checking %d changes in dry-run\n", ps.Step, len(plan.Changes))
	out, err := p.run.Apply(ctx, ps.Step, plan, plan.Confirm.Typed, p.log.reporter(ps.Step, true))
	if out != nil {
		ps.DryRunResults = out.Results
	}
	if err != nil {
		return p.failed(ps, err)
	}
	if n := out.Failed(); n > 0 {
		// Changes are gated one by one, never step by step: a permitted change is applied even
		// when a sibling's check failed, and the steps after this one go on. Each failed check
		// counts as a problem of the plan and is printed with its cause.
		ps.Reason = fmt.Sprintf("%d of %d dry-run checks failed: at apply every change is sent on its own, and those AWS refuses are reported with the cause", n, len(out.Results))
	}
	if out.FollowUp != nil {
		ps.Notes = append(ps.Notes, "After this is applied a further plan will need its own review: "+out.FollowUp.Confirm.Prompt)
		_ = p.run.Complete(ps.Step) // the follow-up is not part of this plan; let later steps go on
	}
	if ps.Status == "" {
		ps.Status = PlanPlanned
	}
	return ps
}

// addChoices adds the rows the operator chose against the verdict to the selection, and records
// each with its reason and the verdict it overrides.
func (p *planner) addChoices(ps *PlanStep, table *steps.Table) error {
	for _, c := range p.opts.Choices[ps.Step] {
		row, ok := findRow(table, c.ID)
		if !ok {
			return fmt.Errorf("--choose %s:%s: the inspection found no %s in this step", ps.Step, c.ID, c.ID)
		}
		if row.Selected {
			ps.Notes = append(ps.Notes, fmt.Sprintf("--choose %s: lockdown proposes it already", c.ID))
			continue
		}
		c.Verdict = verdictOf(row)
		ps.Choices = append(ps.Choices, c)
		if !slices.Contains(ps.Selected, c.ID) {
			ps.Selected = append(ps.Selected, c.ID)
		}
	}
	return nil
}

// inputsFor resolves the action's inputs from the command line and the step's parameters; missing
// names the flag that would provide a required input that has no value.
func (p *planner) inputsFor(step *runbooks.Step, spec steps.Spec) (inputs map[string]string, missing string) {
	inputs = map[string]string{}
	for _, in := range spec.Inputs {
		v := p.opts.Inputs[in.Name]
		if v == "" {
			v = step.With.String(in.Name, "")
		}
		if in.Validate != nil && in.Validate(v) != nil {
			// Never copied into the plan: a wrong value may be a secret pasted by mistake.
			what := "the input " + in.Name
			if in.Name == "access_key_id" {
				what = "--key"
			}
			if v != "" {
				what = "a valid " + what
			}
			return nil, what
		}
		inputs[in.Name] = v
	}
	return inputs, ""
}

func (p *planner) notPlanned(ps PlanStep, reason string) PlanStep {
	ps.Status, ps.Reason = PlanNotPlanned, reason
	p.blocked[ps.Step] = reason
	skipStep(p.run, p.opts.Out, ps.Step, reason)
	return ps
}

func (p *planner) nothingToDo(ps PlanStep, reason string) PlanStep {
	ps.Status, ps.Reason = PlanNothingToDo, reason
	skipStep(p.run, p.opts.Out, ps.Step, reason)
	return ps
}

func (p *planner) failed(ps PlanStep, err error) PlanStep {
	ps.Status, ps.Reason = PlanFailed, err.Error()
	p.blocked[ps.Step] = fmt.Sprintf("not planned: step %q failed", ps.Step)
	p.printf("%s: FAILED: %v\n", ps.Step, err)
	return ps
}
