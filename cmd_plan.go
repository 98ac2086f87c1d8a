package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"lockdown/runbooks"
	"lockdown/steps"
)

// PlanCmd is `lockdown plan`: the dry-run a reviewer approves before anything changes.
type PlanCmd struct {
	Key    string `help:"The leaked access key id, for the containment step; without it that step and those after it are not planned." placeholder:"AKIA…"`
	Output string `short:"o" name:"output" help:"Write the plan to this new file (mode 0600, never overwritten) instead of stdout." placeholder:"FILE"`
}

// Run walks the runbook in dry-run, whatever --live says, and writes the plan document. Every
// planned change is also applied in dry-run, so a missing permission shows up in the plan rather
// than halfway through the real response. It exits 3 when a step failed or a check did not pass.
func (c *PlanCmd) Run(g *Globals) error {
	if c.Key != "" {
		// Checked before anything else: a secret pasted by mistake must not reach the plan
		// document that is handed to a reviewer.
		if err := steps.ValidateAccessKeyID(c.Key); err != nil {
			return usageError("--key: %v", err)
		}
	}
	if c.Output != "" {
		if _, err := os.Lstat(c.Output); err == nil {
			return usageError("%s already exists: lockdown does not overwrite a plan; choose another name", c.Output)
		}
	}
	acct, since, err := g.readOnlyAccount()
	if err != nil {
		return err
	}
	ctx := g.Context()
	id, err := acct.WhoAmI(ctx)
	if err != nil {
		return err
	}
	s, err := g.newSession(acct, steps.DryRun, since)
	if err != nil {
		return err
	}
	doc := &runbooks.PlanDocument{Version: runbooks.PlanVersion, Account: id.Account, Alias: id.Alias,
		Principal: id.ARN, Created: time.Now().UTC().Truncate(time.Second), Runbook: s.run.Runbook().ID}
	if !since.IsZero() {
		doc.Since = since.Format(time.RFC3339)
	}
	p := &planner{g: g, run: s.run, inputs: map[string]string{}, blocked: map[string]string{}, log: &progressLog{g: g}}
	if c.Key != "" {
		p.inputs["access_key_id"] = c.Key
	}
	for _, step := range s.run.Runbook().Steps {
		doc.Steps = append(doc.Steps, p.planStep(ctx, step))
	}
	if err := c.write(g, doc); err != nil {
		_ = s.close(g)
		return err
	}
	printPlanSummary(g, doc)
	closeErr := s.close(g)
	if n := countPlanProblems(doc); n > 0 {
		return exitCode(exitPartial, fmt.Errorf("the plan has %d failed steps or checks: fix them, or review the plan knowing they will fail", n))
	}
	return closeErr
}

// write puts the document in -o FILE, or on stdout.
func (c *PlanCmd) write(g *Globals, doc *runbooks.PlanDocument) error {
	if c.Output == "" {
		return runbooks.WritePlan(g.stdout, doc)
	}
	if err := runbooks.CreatePlanFile(c.Output, doc); err != nil {
		return err
	}
	g.eprintf("Plan written to %s\n", c.Output)
	return nil
}

// planner walks a dry-run of the runbook, one step at a time, in runbook order.
type planner struct {
	g   *Globals
	run *runbooks.Run
	// inputs are the operator's answers, by input name (access_key_id from --key).
	inputs map[string]string
	// blocked holds, per step that could not be planned, the reason its dependents are not either.
	blocked map[string]string
	log     *progressLog
}

// planStep inspects, plans and dry-runs one step, or says why it was not planned.
func (p *planner) planStep(ctx context.Context, step *runbooks.Step) runbooks.PlanStep {
	ps := runbooks.PlanStep{Step: step.ID, Action: step.Action, Title: step.Title}
	if reason := p.blockedBy(step); reason != "" {
		return p.notPlanned(ps, reason)
	}
	if step.Manual {
		ps.Status, ps.ManualChecklist = runbooks.PlanManual, step.Checklist
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
	p.g.eprintf("%s: inspecting\n", step.ID)
	found, err := p.run.Inspect(ctx, step.ID, inputs, p.progress(step.ID))
	if err != nil {
		return p.failed(ps, err)
	}
	ps.Warnings = append(ps.Warnings, found.Warnings...)
	if found.Failed > 0 {
		ps.Status, ps.Reason = runbooks.PlanFailed, fmt.Sprintf("%d regions or items could not be inspected: what they hold is unknown", found.Failed)
	}
	if spec.ReadOnly {
		if ps.Status == "" {
			ps.Status = runbooks.PlanInspected
		}
		return ps
	}
	return p.planChanges(ctx, ps, found)
}

// planChanges plans the default selection and applies it in dry-run, which only checks.
func (p *planner) planChanges(ctx context.Context, ps runbooks.PlanStep, found *steps.Inspection) runbooks.PlanStep {
	ps.Selected = found.Table.SelectedIDs()
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
	p.g.eprintf("%s: checking %d changes in dry-run\n", ps.Step, len(plan.Changes))
	out, err := p.run.Apply(ctx, ps.Step, plan, plan.Confirm.Typed, p.progress(ps.Step))
	if out != nil {
		ps.DryRunResults = out.Results
	}
	if err != nil {
		return p.failed(ps, err)
	}
	if n := out.Failed(); n > 0 {
		ps.Status, ps.Reason = runbooks.PlanFailed, fmt.Sprintf("%d of %d dry-run checks failed", n, len(out.Results))
		p.blocked[ps.Step] = fmt.Sprintf("not planned: step %q failed its dry-run checks", ps.Step)
		return ps
	}
	if out.FollowUp != nil {
		ps.Notes = append(ps.Notes, "After this is applied a further plan will need its own review: "+out.FollowUp.Confirm.Prompt)
		_ = p.run.Complete(ps.Step) // the follow-up is not part of this plan; let later steps go on
	}
	if ps.Status == "" {
		ps.Status = runbooks.PlanPlanned
	}
	return ps
}

// inputsFor resolves the action's inputs from the command line and the step's parameters; missing
// names the flag that would provide a required input that has no value.
func (p *planner) inputsFor(step *runbooks.Step, spec steps.Spec) (inputs map[string]string, missing string) {
	inputs = map[string]string{}
	for _, in := range spec.Inputs {
		v := p.inputs[in.Name]
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

// blockedBy returns why a step cannot be planned because a step it needs was not.
func (p *planner) blockedBy(step *runbooks.Step) string {
	for _, need := range step.Needs {
		if reason, ok := p.blocked[need]; ok {
			return reason
		}
	}
	return ""
}

func (p *planner) notPlanned(ps runbooks.PlanStep, reason string) runbooks.PlanStep {
	ps.Status, ps.Reason = runbooks.PlanNotPlanned, reason
	p.blocked[ps.Step] = reason
	p.skip(ps.Step, reason)
	return ps
}

func (p *planner) nothingToDo(ps runbooks.PlanStep, reason string) runbooks.PlanStep {
	ps.Status, ps.Reason = runbooks.PlanNothingToDo, reason
	p.skip(ps.Step, reason)
	return ps
}

func (p *planner) failed(ps runbooks.PlanStep, err error) runbooks.PlanStep {
	ps.Status, ps.Reason = runbooks.PlanFailed, err.Error()
	p.blocked[ps.Step] = fmt.Sprintf("not planned: step %q failed", ps.Step)
	p.g.eprintf("%s: FAILED: %v\n", ps.Step, err)
	return ps
}

// skip records in the journal why the step was set aside, so the incident record has it too.
func (p *planner) skip(stepID, reason string) {
	if err := p.run.Skip(stepID, reason); err != nil {
		p.g.eprintf("%s: %v\n", stepID, err)
	}
	p.g.eprintf("%s: %s\n", stepID, reason)
}

// progress tells stderr as each region or item finishes, so a long dry-run is visibly alive.
func (p *planner) progress(stepID string) func(steps.Progress) {
	return p.log.reporter(stepID, true)
}
