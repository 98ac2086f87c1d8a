package steps

import (
	"context"
	"fmt"
	"slices"
)

// The steps that handle the IAM persistence the verification finds, by their titles.
const (
	byIAMPersistence = "Remove IAM persistence"
	byPasswordReset  = "Require password resets"
)

// checkIAMPersistence runs the removal step's own hunt: whatever it would still propose is left.
func checkIAMPersistence(ctx context.Context, env *Env) []VerifyCheck {
	const check = "IAM persistence"
	if env.Since.IsZero() {
		return []VerifyCheck{{Check: check, Item: "IAM", Result: VerifyNotChecked, Evidence: "not checked: no incident start (set --since)", HandledBy: byIAMPersistence}}
	}
	hunt, err := huntIAMPersistence(ctx, env)
	if err != nil {
		return []VerifyCheck{{Check: check, Item: "IAM", Result: VerifyUnknown, Evidence: "cannot read IAM: " + unanswered(err), HandledBy: byIAMPersistence}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	for _, f := range hunt.Findings {
		if !f.Flagged {
			continue
		}
		c := VerifyCheck{Check: check, Item: f.Kind + " " + f.Item, Result: VerifyFail, Evidence: f.Reason, HandledBy: byIAMPersistence, Row: f.RowID}
		c.keptBy(kept, c.Item, f.RowID)
		out = append(out, c)
	}
	for _, f := range hunt.Undone {
		out = append(out, VerifyCheck{Check: check, Item: f.Kind + " " + f.Item, Result: VerifyPass, Evidence: f.Reason})
	}
	if hunt.History != "" {
		// IAM keeps no date for these: only the history could show them, so nothing here passes.
		c := VerifyCheck{Check: check, Item: itemUndatedIAM, Result: VerifyUnknown, HandledBy: "by hand: read CloudTrail (or the organization's trail) for IAM changes since T0",
			Evidence: undatedChanges + " since T0 cannot be seen: " + hunt.History}
		c.keptBy(kept, c.Item)
		out = append(out, c)
	}
	if !slices.ContainsFunc(out, func(c VerifyCheck) bool { return c.Result != VerifyPass || c.Kept != "" }) {
		out = append(out, VerifyCheck{Check: check, Item: "IAM", Result: VerifyPass,
			Evidence: fmt.Sprintf("no policy version, identity provider, console password, MFA device, inline or managed policy, group membership or trust policy made after T0 %s is left (%d looked at, none the attacker's)", when(env.Since), len(hunt.Findings))})
	}
	return out
}

// itemUndatedIAM is the verification's item for the IAM changes only CloudTrail dates.
const itemUndatedIAM = "changes IAM keeps no date for"

// checkPasswordResets: every remaining console user has a reset pending, or has signed in since
// T0 (and so may have chosen a new password already: CloudTrail's ChangePassword events tell).
func checkPasswordResets(ctx context.Context, env *Env) []VerifyCheck {
	const check = "password reset"
	users, err := consoleUsers(ctx, env)
	if err != nil {
		return []VerifyCheck{{Check: check, Item: "console users", Result: VerifyUnknown, Evidence: "cannot read IAM: " + unanswered(err), HandledBy: byPasswordReset}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	pending := 0
	for _, u := range users {
		if u.Skip != "" {
			pending++
			continue
		}
		if after(u.LastUsed, env.Since) {
			continue
		}
		c := VerifyCheck{Check: check, Item: u.Name, Result: VerifyFail, HandledBy: byPasswordReset,
			Evidence: "console password without a reset pending, last used " + when(u.LastUsed)}
		c.keptBy(kept, u.Name)
		out = append(out, c)
	}
	if len(out) == 0 {
		out = append(out, VerifyCheck{Check: check, Item: "console users", Result: VerifyPass,
			Evidence: fmt.Sprintf("%s: each has a new password pending, is handled by another step, or signed in since T0", plural(len(users), "console user"))})
	}
	return out
}
