package runbooks

import (
	"fmt"
	"strings"

	"lockdown/aws"
)

// Tick records a checklist item of a manual step as done or not done (item counts from 0).
// Unticking an item of a completed step reopens the step.
func (r *Run) Tick(stepID string, item int, checked bool) error {
	verb := "ticked"
	if !checked {
		verb = "unticked"
	}
	return r.mark(stepID, item, checked, verb, "")
}

// mark ticks or unticks an item and journals how: by the operator, or by a check with its evidence.
func (r *Run) mark(stepID string, item int, checked bool, verb, evidence string) error {
	r.mu.Lock()
	st, err := r.lookup(stepID)
	if err == nil && !st.Step.Manual {
		err = fmt.Errorf("step %s is automated; it has no checklist to tick", title(st))
	}
	if err == nil && (item < 0 || item >= len(st.Checked)) {
		err = fmt.Errorf("step %s has %d checklist items; there is no item %d", title(st), len(st.Checked), item+1)
	}
	if err != nil {
		r.mu.Unlock()
		return err
	}
	reopen := !checked && st.State.Finished()
	env := r.env(st)
	r.mu.Unlock()

	text := st.Step.Checklist[item]
	msg := verb + ": " + text
	if evidence != "" {
		msg += " (" + evidence + ")"
	}
	entries := []Entry{r.entry(env, stepID, KindCheck, msg, checkData{Item: item, Text: text, Checked: checked, Evidence: evidence})}
	if reopen {
		entries = append(entries, r.entry(env, stepID, KindState, string(StatePending), stateData{State: StatePending}))
	}
	if err := r.record(entries...); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st.Checked[item] = checked
	if reopen {
		st.State = StatePending
	}
	return nil
}

type checkData struct {
	Item     int    `json:"item"`
	Text     string `json:"text"`
	Checked  bool   `json:"checked"`
	Evidence string `json:"evidence,omitempty"`
}

// Skip sets a step aside. The reason is required because the incident review will ask.
func (r *Run) Skip(stepID, reason string) error {
	reason = strings.TrimSpace(reason)
	r.mu.Lock()
	st, err := r.lookup(stepID)
	switch {
	case err != nil:
	case reason == "":
		err = fmt.Errorf("say why step %s is skipped; the reason goes into the incident record", title(st))
	case st.State == StateRunning:
		err = fmt.Errorf("step %s is running; wait for it to finish before skipping it", title(st))
	}
	if err != nil {
		r.mu.Unlock()
		return err
	}
	env := r.env(st)
	r.mu.Unlock()
	skip := r.entry(env, stepID, KindSkip, reason, nil)
	return r.settle(env, stepID, []Entry{skip}, StateSkipped, func(st *StepStatus) {
		st.Reason, st.Err, st.Plan = reason, "", nil
	})
}

// Refuse leaves a step failed without running it, with the reason in the journal: a step that
// cannot be carried out as it was reviewed is a failure to report, never a skip.
func (r *Run) Refuse(stepID, reason string) error {
	r.mu.Lock()
	st, err := r.lookup(stepID)
	if err == nil && st.State == StateRunning {
		err = fmt.Errorf("step %q is running; wait for it to finish", stepID)
	}
	if err != nil {
		r.mu.Unlock()
		return err
	}
	st.State, st.Err = StateFailed, reason
	env := r.env(st)
	r.mu.Unlock()
	return r.record(r.entry(env, stepID, KindState, string(StateFailed), stateData{State: StateFailed, Error: reason}))
}

// Note adds the operator's free text to the record; an empty stepID notes the incident as a whole.
func (r *Run) Note(stepID, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("the note is empty")
	}
	env := r.cfg.Env
	if stepID != "" {
		r.mu.Lock()
		st, err := r.lookup(stepID)
		if err == nil {
			env = *r.env(st)
		}
		r.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return r.record(r.entry(&env, stepID, KindNote, text, nil))
}

// Complete marks a step done: a manual step once every checklist item is ticked, an action step
// once it has inspected (ReadOnly actions) or applied a plan.
func (r *Run) Complete(stepID string) error {
	r.mu.Lock()
	st, err := r.lookup(stepID)
	if err == nil {
		err = r.completableLocked(st)
	}
	if err != nil || st.State.Finished() {
		r.mu.Unlock()
		return err
	}
	env := r.env(st)
	dry := StateChecked
	if st.Outcome != nil {
		dry = StatePlanned
	}
	r.mu.Unlock()
	return r.settle(env, stepID, nil, finishedIn(env.Mode(), dry), func(st *StepStatus) { st.Err = "" })
}

func (r *Run) completableLocked(st *StepStatus) error {
	id := title(st)
	if st.State == StateRunning {
		return fmt.Errorf("step %s is still running", id)
	}
	if st.Step.Manual {
		var open []string
		for i, done := range st.Checked {
			if !done {
				open = append(open, fmt.Sprintf("%d %q", i+1, st.Step.Checklist[i]))
			}
		}
		if len(open) > 0 {
			return fmt.Errorf("step %s is not finished; not ticked yet: %s", id, strings.Join(open, ", "))
		}
		return nil
	}
	action, _ := r.cfg.Registry.Lookup(st.Step.Action)
	if st.Outcome != nil || (st.Inspection != nil && action.Spec().ReadOnly) {
		return nil
	}
	return fmt.Errorf("step %s has nothing to complete yet: inspect it and apply its plan, or skip it with a reason", id)
}

// UseAccount hands the run over to another identity of the same account: the break-glass
// credentials a responder fetches once their own key is off. The new identity must already be
// confirmed (its guard knows its account) and be in the run's account, or it is refused; the
// hand-over is journaled, so the report says who acted from then on.
func (r *Run) UseAccount(acct *aws.Account, who string) error {
	if acct == nil {
		return fmt.Errorf("no account to hand over to")
	}
	r.mu.Lock()
	if old := r.cfg.Account; old != nil && old.Guard().Account() != "" && acct.Guard().Account() != old.Guard().Account() {
		r.mu.Unlock()
		return fmt.Errorf("refusing to hand over to %s: its account %s is not this incident's %s", who, acct.Guard().Account(), old.Guard().Account())
	}
	r.cfg.Account = acct
	r.cfg.Env.Account = acct.ReadOnly()
	r.mu.Unlock()
	return r.Note("", "the responder now acts as "+who)
}
