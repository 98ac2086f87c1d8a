package runbooks

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"lockdown/steps"
)

// Inspect runs the step's read-only inspection with the operator's inputs. Inputs are checked
// first; a wrong one leaves the step as it was. A ReadOnly action is done once it has inspected.
func (r *Run) Inspect(ctx context.Context, stepID string, inputs map[string]string, report func(steps.Progress)) (*steps.Inspection, error) {
	var readOnly bool
	var prior StepStatus
	env, action, err := r.start(stepID, func(st *StepStatus, spec steps.Spec) error {
		resolved, err := resolveInputs(st.Step, spec, inputs)
		if err != nil {
			return err
		}
		readOnly = spec.ReadOnly
		prior = st.copy()
		// A new inspection makes any earlier plan stale: it must not be applied any more.
		st.Inputs, st.Inspection, st.Plan, st.Outcome = resolved, nil, nil, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	found, err := action.Inspect(ctx, env, report)
	if err == nil && found == nil {
		err = fmt.Errorf("action %s returned no inspection", action.Spec().Name)
	}
	switch {
	case wasCancelled(ctx, err):
		return nil, r.cancelled(env, stepID, &prior, "inspection")
	case err != nil:
		return nil, r.fail(env, stepID, fmt.Errorf("inspection failed: %w", err))
	}
	next, problem := StatePending, ""
	if (readOnly && found.Open == 0) || (!readOnly && nothingToDo(found)) {
		next = finishedIn(env.Mode(), StateChecked)
	}
	if wrong := wrongAccount(env, found); wrong != nil {
		next, problem = StateFailed, wrong.Error()
	}
	err = r.settle(env, stepID, r.findings(env, stepID, found), next, func(st *StepStatus) { st.Inspection, st.Err = found, problem })
	return found, err
}

// Plan turns the operator's selection from the last inspection into concrete changes, which then
// wait for confirmation.
func (r *Run) Plan(ctx context.Context, stepID string, selected []string) (*steps.Plan, error) {
	var found *steps.Inspection
	env, action, err := r.start(stepID, func(st *StepStatus, spec steps.Spec) error {
		if spec.ReadOnly {
			return fmt.Errorf("step %s only inspects; it has nothing to plan", title(st))
		}
		if st.Inspection == nil {
			return fmt.Errorf("step %s has not been inspected yet; inspect it first", title(st))
		}
		found = st.Inspection
		st.Plan, st.Outcome = nil, nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	plan, err := action.Plan(ctx, env, found, append([]string(nil), selected...))
	if err == nil && plan == nil {
		err = fmt.Errorf("action %s returned no plan", action.Spec().Name)
	}
	if err != nil {
		return nil, r.fail(env, stepID, fmt.Errorf("planning failed: %w", err))
	}
	err = r.settle(env, stepID, r.planned(env, stepID, plan), StateWaiting, func(st *StepStatus) { st.Plan = plan })
	return plan, err
}

// Apply carries out a plan this run produced for the step, after the operator typed its
// confirmation. The typed check repeats the UI's on purpose: a plan reaches Apply only with the
// exact words the operator was asked for, whatever path it took.
func (r *Run) Apply(ctx context.Context, stepID string, plan *steps.Plan, typed string, report func(steps.Progress)) (*steps.Outcome, error) {
	env, action, err := r.start(stepID, func(st *StepStatus, _ steps.Spec) error {
		return checkApplicable(st, plan, typed)
	})
	if err != nil {
		return nil, err
	}
	// Every call the step makes is journaled around it; a new secret is kept once, before the
	// key is journaled as made, however often the step hands it over.
	env.KeepSecret = keepOnce(env.KeepSecret)
	changes, err := r.journaled(stepID, env, r.changes())
	if err != nil {
		return nil, r.fail(env, stepID, err)
	}
	out, err := action.Apply(ctx, env, changes, plan, report)
	if err != nil {
		if out != nil {
			r.keepPartial(env, stepID, out)
		}
		if wasCancelled(ctx, err) {
			return out, r.cancelled(env, stepID, nil, "apply")
		}
		return out, r.fail(env, stepID, fmt.Errorf("applying the plan failed: %w", err))
	}
	if out == nil {
		out = &steps.Outcome{}
	}
	next, problem := finishedIn(env.Mode(), StatePlanned), ""
	switch {
	case out.FollowUp != nil:
		next = StateWaiting
	case out.Failed() > 0:
		next, problem = StateFailed, fmt.Sprintf("%d of %d changes failed", out.Failed(), len(out.Results))
	}
	err = r.settle(env, stepID, r.applied(env, stepID, plan, out), next, func(st *StepStatus) {
		st.Outcome, st.Err = out, problem
		if out.FollowUp != nil {
			st.Plan = out.FollowUp
		}
	})
	return out, err
}

// checkApplicable refuses a plan the operator did not confirm, or one this run did not produce for
// this step (a stale plan, or another step's).
func checkApplicable(st *StepStatus, plan *steps.Plan, typed string) error {
	id := title(st)
	if plan == nil {
		return fmt.Errorf("step %s: there is no plan to apply", id)
	}
	if st.State != StateWaiting && st.State != StateFailed && st.State != StateCancelled {
		return fmt.Errorf("step %s is %s; only a plan that waits for confirmation can be applied", id, st.State)
	}
	ours := plan == st.Plan || (st.Outcome != nil && plan == st.Outcome.FollowUp)
	if !ours {
		return fmt.Errorf("step %s: this is not the plan the run prepared for it (it may be stale); plan again and review it", id)
	}
	if plan.Confirm.Typed != "" && typed != plan.Confirm.Typed {
		return fmt.Errorf("step %s: confirmation does not match: type %q exactly to apply; nothing was changed", id, plan.Confirm.Typed)
	}
	return nil
}

// keepPartial records the results an action reported before it failed, so the record shows what
// did change.
func (r *Run) keepPartial(env *steps.Env, stepID string, out *steps.Outcome) {
	_ = r.record(r.applied(env, stepID, nil, out)...) // fail journals the error right after
	r.mu.Lock()
	r.status[stepID].Outcome = out
	r.mu.Unlock()
}

// resolveInputs copies the operator's inputs, fills absent ones from the step's parameter of the
// same name, and checks each with the action's own validation.
func resolveInputs(step *Step, spec steps.Spec, given map[string]string) (map[string]string, error) {
	known := make(map[string]steps.Input, len(spec.Inputs))
	names := make([]string, 0, len(spec.Inputs))
	for _, in := range spec.Inputs {
		known[in.Name] = in
		names = append(names, in.Name)
	}
	out := maps.Clone(given)
	if out == nil {
		out = map[string]string{}
	}
	for name := range out {
		if _, ok := known[name]; !ok {
			return nil, fmt.Errorf("step %q does not ask for %q; it asks for: %s", step.ID, name, joinWords(names))
		}
	}
	var problems []error
	for _, in := range spec.Inputs {
		v, ok := out[in.Name]
		if !ok {
			v = step.With.String(in.Name, "")
			out[in.Name] = v
		}
		if in.Validate == nil {
			continue
		}
		if err := in.Validate(v); err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", label(in), err))
		}
	}
	return out, errors.Join(problems...)
}

func label(in steps.Input) string {
	if in.Prompt != "" {
		return strings.TrimSuffix(in.Prompt, ":")
	}
	return in.Name
}

// nothingToDo reports whether an inspection leaves the step nothing to do: everything was read,
// no row is proposed and none is flagged for the operator's judgement. Such a step has done its
// part by looking, and is not left pending; the operator may still select a row and plan.
func nothingToDo(found *steps.Inspection) bool {
	if found.Failed > 0 || found.Open > 0 || found.Table == nil || !found.Table.Selectable {
		return false
	}
	for _, r := range found.Table.Rows {
		switch {
		case r.Selected:
			return false
		case r.Tone != steps.ToneNone && r.Tone != steps.ToneOK && r.Tone != steps.ToneProtected:
			return false
		}
	}
	return true
}
