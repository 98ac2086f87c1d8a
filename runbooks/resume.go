package runbooks

import (
	"fmt"
	"strings"

	"lockdown/steps"
)

// JournalAccount is the account an incident's journal was recorded in, or "" if it never got that
// far; resuming pins the run to it.
func JournalAccount(entries []Entry) string {
	account := ""
	for _, e := range entries {
		if e.Account != "" {
			account = e.Account
		}
	}
	return account
}

// JournalExpectedAccount is the account the operator named with --account when the incident
// started, or "" when none was named. The first run's choice stands: a resumed run records the
// account it was held to again, never a wider one.
func JournalExpectedAccount(entries []Entry) string {
	for _, e := range entries {
		if e.Kind == KindRunStart {
			if named := field(e.Data, "expected_account"); named != "" {
				return named
			}
		}
	}
	return ""
}

// expectedAccount is the account the run's guard is held to, for the run start entry.
func expectedAccount(env steps.Env) string {
	if env.Account == nil {
		return ""
	}
	return env.Account.Guard().Expected()
}

// Resume restores what the journal says about this run's steps: states, skip reasons, errors,
// inputs and checklist ticks. Findings and plans are not restored — they described the account as
// it was then — so a step that waited for confirmation is pending again and will be inspected
// afresh, and a step that was running when lockdown stopped is failed, to be retried. Call it
// before anything else happens in the run.
func (r *Run) Resume(entries []Entry) error {
	if err := r.resumable(entries); err != nil {
		return err
	}
	r.mu.Lock()
	for _, e := range entries {
		if st, ok := r.status[e.Step]; ok {
			restore(st, e)
		}
	}
	var done, open []string
	for _, s := range r.cfg.Runbook.Steps {
		st := r.status[s.ID]
		switch st.State {
		case StateRunning:
			st.State, st.Err = StateFailed, "interrupted: lockdown stopped while this step ran; inspect it again"
		case StateWaiting:
			st.State = StatePending
		}
		if st.State.Settled() {
			done = append(done, s.ID)
		} else {
			open = append(open, s.ID)
		}
	}
	env := r.cfg.Env
	r.mu.Unlock()
	msg := fmt.Sprintf("resumed from %d journal entries; settled: %s; still open: %s", len(entries), listOrNone(done), listOrNone(open))
	var data any
	if pending := PendingChanges(entries); len(pending) > 0 {
		// Changes whose call may or may not have reached AWS: to be read back, not made blindly.
		what := fmt.Sprintf("%d changes were", len(pending))
		if len(pending) == 1 {
			what = "1 change was"
		}
		msg += "; " + what + " intended and never settled; read the account before making them again"
		data = map[string]any{"pending_changes": pending}
	}
	return r.record(r.entry(&env, "", KindNote, msg, data))
}

// resumable refuses a journal of another runbook or mode: a dry run's "done" changed nothing, so
// it must never count as done in a live run.
func (r *Run) resumable(entries []Entry) error {
	for _, e := range entries {
		if e.Kind != KindRunStart {
			continue
		}
		if rb := field(e.Data, "runbook"); rb != "" && rb != r.cfg.Runbook.ID {
			return fmt.Errorf("the journal follows runbook %s, not %s", rb, r.cfg.Runbook.ID)
		}
		if mode := r.cfg.Env.Mode(); e.Mode != "" && e.Mode != string(mode) {
			return fmt.Errorf("the journal was recorded in %s mode and this run is %s: what was done in one is not done in the other; start a new incident instead", e.Mode, mode)
		}
	}
	return nil
}

// restore applies one journal entry to a step's status.
func restore(st *StepStatus, e Entry) {
	data, _ := e.Data.(map[string]any)
	switch e.Kind {
	case KindState:
		st.State = StepState(firstNonEmpty(field(data, "state"), e.Message))
		st.Err = field(data, "error")
		if reason := field(data, "reason"); reason != "" || st.State != StateSkipped {
			st.Reason = reason
		}
		if in, ok := data["inputs"].(map[string]any); ok {
			st.Inputs = map[string]string{}
			for k, v := range in {
				if s, ok := v.(string); ok {
					st.Inputs[k] = s
				}
			}
		}
	case KindSkip:
		st.Reason = e.Message
	case KindCheck:
		item, ok := data["item"].(float64)
		checked, _ := data["checked"].(bool)
		if ok && int(item) >= 0 && int(item) < len(st.Checked) {
			st.Checked[int(item)] = checked
		}
	}
}

func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
