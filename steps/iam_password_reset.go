package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"lockdown/aws"
)

// RequirePasswordReset is the action iam.require-password-reset: every console user that remains
// must choose a new password at the next sign-in, as AWS's guidance for a compromised account
// asks — the attacker may have read or set any of them.
type RequirePasswordReset struct{}

// Spec describes iam.require-password-reset.
func (RequirePasswordReset) Spec() Spec {
	return Spec{Name: "iam.require-password-reset", Summary: "Require a new console password at next sign-in for every remaining console user",
		Params: []Param{{Name: "keep", Type: TypeStrings, Doc: "user names never proposed"}}}
}

// passwordUser is one console user and why it is or is not proposed.
type passwordUser struct {
	Name     string
	Password aws.ConsolePassword
	LastUsed time.Time
	// Skip says why the user is not proposed ("" when it is).
	Skip string
}

// Inspect lists every user with a console password. Users going away in this incident (created
// after T0, or whose password the attacker set) are shown but left to their own steps.
func (RequirePasswordReset) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	if report == nil {
		report = func(Progress) {}
	}
	report(Progress{Key: "console users", State: Running})
	users, err := consoleUsers(ctx, env)
	if err != nil {
		return nil, err
	}
	t := &Table{Selectable: true, Columns: []Column{{Title: "User", Width: 24}, {Title: "Password created", Width: 17}, {Title: "Why"}}}
	proposed := 0
	for _, u := range users {
		row := Row{ID: PasswordResetChangeID(u.Name), Cells: []string{u.Name, when(u.Password.Created), ""}}
		if u.Skip == "" {
			proposed++
			row.Selected, row.Tone, row.Cells[2] = true, ToneWarning, "a remaining console user"
		} else {
			row.Tone, row.Cells[2] = ToneProtected, u.Skip
		}
		if u.Skip != "" && u.Password.ResetRequired {
			row.AlreadyDone = "a new password is already required at the next sign-in"
		}
		row.Reasons = []string{row.Cells[2]}
		t.Rows = append(t.Rows, row)
	}
	report(Progress{Key: "console users", State: Done, Count: len(users)})
	return &Inspection{Table: t, Data: users, Summary: fmt.Sprintf("%s, %d to reset", plural(len(users), "console user"), proposed)}, nil
}

func consoleUsers(ctx context.Context, env *Env) ([]passwordUser, error) {
	api := env.Account.IAM()
	inv, err := aws.TakeInventory(ctx, api, aws.DefaultInventoryWorkers, nil)
	if err != nil {
		return nil, fmt.Errorf("reading IAM users: %w", err)
	}
	keep := env.Params.Strings("keep")
	var out []passwordUser
	for _, u := range inv.Users {
		if u.Password == nil {
			continue
		}
		p, err := aws.ReadConsolePassword(ctx, api, u.Name)
		if err != nil {
			return nil, err
		}
		if !p.Exists {
			continue
		}
		pu := passwordUser{Name: u.Name, Password: p, LastUsed: u.PasswordLastUsed}
		switch {
		case contains(keep, u.Name):
			pu.Skip = "kept by the step's parameters"
		case after(u.Created, env.Since):
			pu.Skip = userAfterT0(env, u.Name)
		case after(p.Created, env.Since):
			pu.Skip = "password created after T0: Remove IAM persistence proposes removing it"
		case p.ResetRequired:
			pu.Skip = "a new password is already required at the next sign-in"
		}
		out = append(out, pu)
	}
	return out, nil
}

// Plan requires a reset for each selected user: reversible and harmless, so a plain yes does.
func (RequirePasswordReset) Plan(_ context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	users, ok := found.Data.([]passwordUser)
	if !ok {
		return nil, errors.New("iam.require-password-reset: inspect first")
	}
	byRow := map[string]passwordUser{}
	for _, u := range users {
		byRow[PasswordResetChangeID(u.Name)] = u
	}
	p := &Plan{}
	var names []string
	for _, id := range selected {
		u, ok := byRow[id]
		if !ok {
			p.Warnings = append(p.Warnings, "skipping "+id+": no such console user")
			continue
		}
		names = append(names, u.Name)
		p.Changes = append(p.Changes, Change{ID: PasswordResetChangeID(u.Name), Row: id, Op: "iam:UpdateLoginProfile", Target: u.Name,
			Summary: "require " + u.Name + " to choose a new console password at the next sign-in"})
	}
	p.Data = names
	if len(names) > 0 {
		p.Notes = []string{"Console users who must choose a new password: " + strings.Join(names, ", "),
			"Tell them before they next sign in; the current password still works once, to set the new one."}
	}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Require a new password of %s in account %s?", plural(len(names), "console user"), env.Account.Guard().Account())}
	return p, nil
}

// Apply requires each reset; the live change reads GetLoginProfile back before it counts as done.
func (RequirePasswordReset) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, _ func(Progress)) (*Outcome, error) {
	names, ok := plan.Data.([]string)
	if !ok {
		return nil, errors.New("iam.require-password-reset: not a password plan")
	}
	out := &Outcome{}
	for _, name := range names {
		eff, err := changes.RequirePasswordReset(ctx, name)
		res := resultOf(PasswordResetChangeID(name), eff, err, "require a new password of "+name)
		out.Results = append(out.Results, confirmedBy(res, "a new password is required of "+name+" at the next sign-in (read back)"))
		env.Logger().Info("iam.require-password-reset", "user", name, "effect", eff, "error", errText(err))
	}
	return out, nil
}

// userAfterT0 says why a user made after T0 gets no reset here, and what happens to it instead,
// without claiming more than Remove rogue IAM users does: it proposes deleting the attacker's
// users and, without a trace, every user made after T0; a teammate's it leaves to the operator.
func userAfterT0(env *Env, name string) string {
	if t := env.Trace; t != nil && t.Footprint != nil {
		if o, ok := t.Footprint.Origin(name); ok && !o.Attacker {
			who := o.Principal
			if who == "" {
				who = o.Credential
			}
			return "created after T0 by " + who + ", not the attacker: " + byRemove +
				" does not propose deleting it; the verification asks you to keep it (K) with a reason"
		}
	}
	return "created after T0: " + byRemove + " proposes deleting the user"
}
