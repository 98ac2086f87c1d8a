package runbooks

import (
	"context"
	"fmt"

	"lockdown/steps"
)

// Verification is one checklist item as its check found it.
type Verification struct {
	Item   int
	Text   string
	Check  string
	Result steps.CheckResult
	// Err says why the check could not tell (no permission, a network error).
	Err string
}

// Verify runs the checks of a manual step's verifiable items (read-only) and ticks or unticks each
// item by what its check found, journaling the evidence. Items without a check are left alone, and
// an item whose check failed to run keeps its tick.
func (r *Run) Verify(ctx context.Context, stepID string) ([]Verification, error) {
	r.mu.Lock()
	st, err := r.lookup(stepID)
	if err == nil && len(st.Step.Verify) == 0 {
		err = fmt.Errorf("step %s has no item lockdown can verify; tick them by hand", title(st))
	}
	if err != nil {
		r.mu.Unlock()
		return nil, err
	}
	step, env := st.Step, r.env(st)
	r.mu.Unlock()

	var out []Verification
	for i, name := range step.Verify {
		check, ok := r.cfg.Registry.Check(name)
		if name == "" || !ok {
			continue
		}
		v := Verification{Item: i, Text: step.Checklist[i], Check: name}
		res, cerr := check.Verify(ctx, env)
		if cerr != nil {
			v.Err = cerr.Error()
			out = append(out, v)
			continue
		}
		v.Result = res
		verb := "verified"
		if !res.Done {
			verb = "not done yet, says " + name
		}
		if err := r.mark(stepID, i, res.Done, verb, res.Detail); err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
