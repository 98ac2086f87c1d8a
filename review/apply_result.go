package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"lockdown/steps"
)

// reviewSelection is what to plan again: the reviewed selection, less what is gone from the
// account, plus what the fresh inspection proposes that the reviewer never saw (an instance the
// attacker launched since). Planning those too makes them show up as drift instead of being
// silently left running, and what is gone shows up as changes no longer needed. What the reviewer
// kept is a reviewed decision, not something new: it is never planned again.
func reviewSelection(reviewed []string, kept []Kept, table *steps.Table) []string {
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
		if !slices.Contains(out, id) && !slices.ContainsFunc(kept, func(k Kept) bool { return k.Item == id }) {
			out = append(out, id)
		}
	}
	return out
}

// report prints every result of a step, saves new secrets, and shows follow-up plans as needing
// their own review: they were not in the plan, so they are not applied here. Everything reviewed
// was applied all the same, so a follow-up does not make the step undone: whether the attacker is
// out is the verification's to say. It returns whether the step applied cleanly.
func (a *applier) report(stepID string, out *steps.Outcome, err error) bool {
	if out != nil {
		for _, r := range out.Results {
			a.printf("      %-12s %s %s\n", r.Status, r.ChangeID, strings.TrimSpace(r.Code+" "+r.Message))
		}
		for _, f := range out.Facts {
			a.printf("      %s: %s\n", f.Label, f.Value)
		}
		if serr := a.saveSecrets(out.Secrets); serr != nil {
			err = errors.Join(err, serr)
		}
	}
	switch {
	case err != nil:
		a.failed(stepID, "FAILED: "+err.Error())
		return false
	case out.Failed() > 0:
		a.failed(stepID, fmt.Sprintf("FAILED: %d of %d changes failed", out.Failed(), len(out.Results)))
		return false
	case out.FollowUp != nil:
		a.printf("%s: a further plan needs a new review and was NOT applied: %s\n", stepID, out.FollowUp.Confirm.Prompt)
		for _, c := range out.FollowUp.Changes {
			a.printf("      ? %s\n", ChangeLine(c))
		}
		_ = a.run.Complete(stepID) // what was reviewed is done; later steps may go on
		a.totals.Applied++
		a.totals.FollowUps++
		return true
	}
	a.totals.Applied++
	a.printf("%s: done\n", stepID)
	return true
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
	var errs []error
	for _, s := range secrets {
		errs = append(errs, a.opts.Secrets.Keep(s))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	a.printf("      %d new secret access keys saved to %s\n", len(secrets), a.opts.Secrets.Path())
	return nil
}
