package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// RemoveBackdoorUsers is the action iam.remove-rogue-users: delete users the attacker created,
// with everything IAM makes you remove first.
type RemoveBackdoorUsers struct{}

// Spec describes iam.remove-rogue-users.
func (RemoveBackdoorUsers) Spec() Spec {
	return Spec{
		Name:    "iam.remove-rogue-users",
		Summary: "Delete backdoor IAM users and all their keys, passwords, MFA devices, certificates and policies",
		Params: []Param{
			{Name: "users", Type: TypeStrings, Doc: "users to preselect (default: users created after T0)"},
		},
	}
}

// backdoorFinding is the inventory Plan picks from, and who lockdown acts as.
type backdoorFinding struct {
	Report *KeysReport
	Me     string
}

// Inspect lists every user and preselects those created after T0 (or named in `users`).
func (RemoveBackdoorUsers) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	me, rep, err := responderAndInventory(ctx, env, report)
	if err != nil {
		return nil, err
	}
	named := env.Params.Strings("users")
	t := &Table{Selectable: true, Columns: []Column{{Title: "User"}, {Title: "Created", Width: 17}, {Title: "Keys", Width: 4},
		{Title: "Console", Width: 7}, {Title: "Groups"}, {Title: "Why"}}}
	failed := 0
	for _, u := range rep.Users {
		if u.Error != "" {
			failed++
		}
		row := Row{ID: u.Name, Reasons: words(u.Flags), Tone: toneFor(u.Flags, u.Error != ""),
			Cells: []string{u.Name, when(u.Created), fmt.Sprint(len(u.Keys)), yesNo(u.HasConsolePassword), strings.Join(u.Groups, ","), strings.Join(words(u.Flags), "; ")}}
		row.Selected = contains(named, u.Name) || (len(named) == 0 && contains(u.Flags, FlagUserCreatedAfterT0))
		if o := u.CreatedBy; o != nil && !contains(u.Flags, FlagUserCreatedAfterT0) && after(u.Created, env.Since) {
			why := "created after T0 " + o.By() + ", not by the attacker's credentials or address, so not proposed"
			row.Reasons = append(row.Reasons, why)
			row.Cells[5] = strings.Join(row.Reasons, "; ")
		}
		if u.Name == me.UserName() {
			row.Selected, row.Tone = false, ToneProtected
			row.Reasons = append(row.Reasons, "this is lockdown's own user: it cannot delete itself")
		}
		if u.Error != "" {
			row.Reasons = append([]string{"could not be read completely: " + u.Error}, row.Reasons...)
		}
		t.Rows = append(t.Rows, row)
	}
	return &Inspection{
		Summary: fmt.Sprintf("%s, %d proposed for deletion", plural(len(rep.Users), "user"), len(t.SelectedIDs())),
		Table:   t,
		Failed:  failed,
		Data:    &backdoorFinding{Report: rep, Me: me.UserName()},
	}, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// backdoorPlan is, per user, the parts found when planning.
type backdoorPlan struct {
	Users []plannedUser
}

type plannedUser struct {
	Name  string
	Parts []aws.UserPart
}

// Plan lists, for each selected user, every dependent in the order IAM requires, then the user.
func (RemoveBackdoorUsers) Plan(ctx context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	f, ok := found.Data.(*backdoorFinding)
	if !ok {
		return nil, errors.New("iam.remove-rogue-users: inspect first")
	}
	p, data := &Plan{}, &backdoorPlan{}
	for _, name := range selected {
		if name == f.Me {
			p.Warnings = append(p.Warnings, fmt.Sprintf("not deleting %s: it is the user lockdown acts as", name))
			continue
		}
		parts, notes, err := aws.UserParts(ctx, env.Account.IAM(), name)
		if aws.IsNoSuchEntity(err) {
			p.Notes = append(p.Notes, name+" no longer exists")
			parts, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		p.Notes = append(p.Notes, notes...)
		data.Users = append(data.Users, plannedUser{Name: name, Parts: parts})
		for _, part := range parts {
			p.Changes = append(p.Changes, Change{ID: UserPartID(name, part), Row: name, Op: part.Kind.Operation(), Target: name,
				Summary: fmt.Sprintf("remove %s from %s", part, name), Destructive: true})
		}
		p.Changes = append(p.Changes, Change{ID: UserDeletionID(name), Row: name, Op: "iam:DeleteUser", Target: name, Summary: "delete user " + name, Destructive: true})
	}
	p.Data = data
	typed := typedConfirmation(env)
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Delete %s and everything attached to them?", plural(len(data.Users), "user")), Typed: typed}
	if typed != "" {
		p.Confirm.Prompt = fmt.Sprintf("Type the account id %s to delete %s and everything attached to them", typed, plural(len(data.Users), "user"))
	}
	return p, nil
}

// Apply removes the parts of each user that the plan listed, then deletes the user. A part the
// attacker added after the plan is drift: it is not removed, since nobody reviewed it, and the user
// is not deleted (IAM would refuse anyway); planning again shows it for review.
func (RemoveBackdoorUsers) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	data, ok := plan.Data.(*backdoorPlan)
	if !ok {
		return nil, errors.New("iam.remove-rogue-users: not a removal plan")
	}
	out := &Outcome{}
	for _, u := range data.Users {
		results := removeUser(ctx, env, changes, u)
		out.Results = append(out.Results, results...)
		if report != nil {
			report(Progress{Key: u.Name, State: progressOf(results), Count: len(results)})
		}
	}
	return out, nil
}

// removeUser removes the user's parts one by one, then the user. A part that cannot be removed
// does not stop the others: when deleting a key is denied the key is deactivated instead, and
// whatever was allowed (the password, the policies) still goes. A user left standing is reported
// with what remains and the permissions that were missing.
func removeUser(ctx context.Context, env *Env, changes aws.Changes, u plannedUser) []Result {
	current, _, err := aws.UserParts(ctx, env.Account.IAM(), u.Name)
	if aws.IsNoSuchEntity(err) {
		return allAlreadyGone(u)
	}
	if err != nil {
		return []Result{resultOf("user/"+u.Name, "", err, "")}
	}
	var results []Result
	left := &leftBehind{}
	drifted := 0
	for _, part := range mergeParts(u.Parts, current) {
		id := UserPartID(u.Name, part)
		switch {
		case !containsPart(current, part):
			results = append(results, Result{ChangeID: id, Status: StatusAlreadyDone, Message: part.String() + " is already gone"})
			continue
		case !containsPart(u.Parts, part):
			// Nobody reviewed this part: removing it would act beyond the consent given.
			drifted++
			left.add(part.String()+" (appeared after the plan)", "")
			results = append(results, Result{ChangeID: id, Status: StatusFailed, Code: "Drift",
				Message: part.String() + " appeared after the plan was made: not removed (it was not reviewed); plan again"})
			continue
		}
		eff, err := changes.RemovePart(ctx, u.Name, part)
		r := resultOf(id, eff, err, "removed "+part.String())
		if err != nil && part.Kind == aws.PartAccessKey && aws.Denied(err) {
			r = deactivateInstead(ctx, changes, u.Name, part.ID, id, err, left)
		} else if r.Status == StatusFailed {
			left.add(part.String(), aws.DeniedAction(err, part.Kind.Operation()))
		}
		results = append(results, r)
		env.Logger().Info("iam.remove-rogue-users", "user", u.Name, "part", part.String(), "effect", eff, "error", errText(err))
	}
	switch {
	case drifted > 0:
		return append(results, Result{ChangeID: "user/" + u.Name, Status: StatusSkipped,
			Message: fmt.Sprintf("not deleted: %d parts appeared after the plan and were not reviewed; plan again to remove them", drifted)})
	case !left.empty():
		return append(results, Result{ChangeID: "user/" + u.Name, Status: StatusSkipped, Code: left.code(),
			Message: "not deleted: IAM deletes a user only once nothing is attached; " + left.String()})
	}
	eff, err := changes.DeleteUser(ctx, u.Name)
	env.Logger().Info("iam.remove-rogue-users", "user", u.Name, "part", "user", "effect", eff, "error", errText(err))
	r := resultOf("user/"+u.Name, eff, err, "deleted user "+u.Name)
	if r.Status == StatusFailed && aws.Denied(err) {
		left.add("the user itself, with nothing attached: it can sign in with no key and no password", aws.DeniedAction(err, "iam:DeleteUser"))
		r.Message = "not deleted: " + left.String() + " (" + r.Message + ")"
	}
	return append(results, r)
}

// deactivateInstead contains a key whose deletion was refused: deactivated, it signs nothing.
func deactivateInstead(ctx context.Context, changes aws.Changes, user, keyID, changeID string, cause error, left *leftBehind) Result {
	missing := aws.DeniedAction(cause, "iam:DeleteAccessKey")
	eff, err := changes.DeactivateKey(ctx, user, keyID)
	if err != nil {
		left.add("access key "+keyID+" (active)", missing)
		left.add("", aws.DeniedAction(err, "iam:UpdateAccessKey"))
		return Result{ChangeID: changeID, Status: StatusFailed, Code: aws.ErrorCode(cause),
			Message: fmt.Sprintf("not deleted (%s) and not deactivated either (%s): %s still signs requests", aws.ErrorMessage(cause), aws.ErrorMessage(err), keyID)}
	}
	left.add("access key "+keyID+" (inactive)", missing)
	done := "deactivated instead"
	if eff == aws.WouldChange {
		done = "would be deactivated instead"
	}
	return Result{ChangeID: changeID, Status: StatusFailed, Code: aws.ErrorCode(cause),
		Message: fmt.Sprintf("not deleted, %s missing: %s, so it signs nothing (%s)", missing, done, aws.ErrorMessage(cause))}
}

// leftBehind is what a removal could not take away, and the permissions it lacked.
type leftBehind struct {
	parts, missing []string
}

func (l *leftBehind) add(part, permission string) {
	if part != "" {
		l.parts = append(l.parts, part)
	}
	if permission != "" && !slices.Contains(l.missing, permission) {
		l.missing = append(l.missing, permission)
	}
}

func (l *leftBehind) empty() bool { return len(l.parts) == 0 }

// code marks a removal stopped by a missing permission.
func (l *leftBehind) code() string {
	if len(l.missing) > 0 {
		return "AccessDenied"
	}
	return ""
}

func (l *leftBehind) String() string {
	s := "still there: " + strings.Join(l.parts, ", ")
	if len(l.missing) > 0 {
		s += "; missing permission: " + strings.Join(l.missing, ", ")
	}
	return s
}

func allAlreadyGone(u plannedUser) []Result {
	var results []Result
	for _, part := range u.Parts {
		results = append(results, Result{ChangeID: UserPartID(u.Name, part), Status: StatusAlreadyDone, Message: part.String() + " is already gone"})
	}
	return append(results, Result{ChangeID: "user/" + u.Name, Status: StatusAlreadyDone, Message: "user " + u.Name + " is already gone"})
}

// mergeParts is the planned parts followed by any found since, keeping IAM's removal order.
func mergeParts(planned, current []aws.UserPart) []aws.UserPart {
	out := append([]aws.UserPart(nil), planned...)
	for _, p := range current {
		if !containsPart(out, p) {
			out = append(out, p)
		}
	}
	order := kindOrder()
	stableSortBy(out, func(p aws.UserPart) int { return order[p.Kind] })
	return out
}

func kindOrder() map[aws.PartKind]int {
	kinds := []aws.PartKind{aws.PartAccessKey, aws.PartLoginProfile, aws.PartMFADevice, aws.PartSigningCertificate, aws.PartSSHPublicKey,
		aws.PartServiceCredential, aws.PartInlinePolicy, aws.PartAttachedPolicy, aws.PartGroup, aws.PartPermissionsBoundary}
	m := make(map[aws.PartKind]int, len(kinds))
	for i, k := range kinds {
		m[k] = i
	}
	return m
}

func containsPart(list []aws.UserPart, p aws.UserPart) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

func progressOf(results []Result) ProgressState {
	for _, r := range results {
		if r.Status == StatusFailed {
			return Failed
		}
	}
	return Done
}
