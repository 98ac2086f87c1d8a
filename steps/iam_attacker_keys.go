package steps

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lockdown/aws"
)

// DisableAttackerKeys is the action iam.disable-attacker-keys: deactivate, then delete, the access
// keys the attacker added to users that existed before T0. Removing backdoor users does not touch
// these users, and rotation only handles the users it is pointed at, so without this step a second
// key on an existing user keeps working after the drill ends green.
type DisableAttackerKeys struct{}

// Spec describes iam.disable-attacker-keys.
func (DisableAttackerKeys) Spec() Spec {
	return Spec{
		Name:    "iam.disable-attacker-keys",
		Summary: "Deactivate, then delete, access keys created after T0 on users that existed before it",
		Params: []Param{
			{Name: "keep", Type: TypeStrings, Doc: "key ids never proposed: lockdown's own rotation keys, keys you made yourself after T0"},
			{Name: "evidence", Type: TypeStrings, Doc: "key ids deactivated but never deleted (the leaked key, keys kept for the investigation)"},
		},
	}
}

// attackerKey is one key the step can act on.
type attackerKey struct {
	User   string
	KeyID  string
	Status string
}

func (k attackerKey) rowID() string { return k.User + "/" + k.KeyID }

// attackerKeysFinding is what Inspect found, read back by Plan.
type attackerKeysFinding struct {
	Keys map[string]attackerKey
	// Mine is the responder's own key or user: never proposed, since lockdown would lock itself out.
	Mine map[string]bool
}

// Inspect lists every key created after T0 on a user created before it, preselecting active ones.
func (DisableAttackerKeys) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	me, rep, err := responderAndInventory(ctx, env, report)
	if err != nil {
		return nil, err
	}
	keep, evidence := env.Params.Strings("keep"), env.Params.Strings("evidence")
	t := &Table{Selectable: true, Columns: []Column{{Title: "User"}, {Title: "Key", Width: 20}, {Title: "Status", Width: 8},
		{Title: "Created", Width: 17}, {Title: "Last used"}}}
	f := &attackerKeysFinding{Keys: map[string]attackerKey{}, Mine: map[string]bool{}}
	insp := &Inspection{Table: t, Data: f}
	if env.Since.IsZero() {
		insp.Summary = "T0 is not known: no key can be told apart as the attacker's"
		return insp, nil
	}
	kept, ours := 0, 0
	own := map[string]bool{}
	if env.OwnKeys != nil {
		own = env.OwnKeys()
	}
	for _, u := range rep.Users {
		if u.Error != "" {
			insp.Failed++
		}
		// A user created after T0 is removed whole, keys included, by the backdoor-user step.
		if contains(u.Flags, FlagUserCreatedAfterT0) {
			continue
		}
		for _, k := range u.Keys {
			if !contains(k.Flags, FlagKeyCreatedAfterT0) {
				continue
			}
			if own[k.ID] {
				ours++
				continue
			}
			if contains(keep, k.ID) {
				kept++
				continue
			}
			key := attackerKey{User: u.Name, KeyID: k.ID, Status: k.Status}
			f.Keys[key.rowID()] = key
			row := Row{ID: key.rowID(), Tone: ToneWarning, Selected: k.Status == aws.KeyActive || !contains(evidence, k.ID),
				Reasons: []string{"created " + when(k.Created) + ", after T0, on a user that existed before it"},
				Cells:   []string{u.Name, k.ID, k.Status, when(k.Created), when(k.LastUsed.Date)}}
			if k.Status != aws.KeyActive {
				// What deactivating it would do is done: a reviewed deactivation is no longer
				// needed; the deletion is a change of its own, reviewed in a later plan.
				row.AlreadyDone = k.ID + " is inactive"
			}
			switch {
			case k.Status == aws.KeyActive:
			case contains(evidence, k.ID):
				row.Reasons = append(row.Reasons, "already inactive, and kept as evidence: not deleted")
			default:
				// Deactivated by an earlier apply, or by hand: the plan deletes it now, behind
				// the account id, so plan and apply can finish the job.
				row.Reasons = append(row.Reasons, "already inactive: the plan deletes it")
			}
			if k.ID == me.AccessKeyID || u.Name == me.UserName() {
				f.Mine[key.rowID()] = true
				row.Selected, row.Tone = false, ToneProtected
				row.Reasons = append(row.Reasons, "lockdown signs in as this user: deactivating its key could lock you out; check it by hand")
			}
			t.Rows = append(t.Rows, row)
		}
	}
	insp.Summary = fmt.Sprintf("%s created after T0 on existing users, %d proposed for deactivation", plural(len(t.Rows), "key"), len(t.SelectedIDs()))
	if kept > 0 {
		insp.Summary += fmt.Sprintf("; %d kept as named", kept)
	}
	if ours > 0 {
		insp.Summary += fmt.Sprintf("; %s lockdown created not listed", plural(ours, "key"))
	}
	return insp, nil
}

// deactivatePlan is the keys the operator chose, in the order chosen: active ones to deactivate,
// and ones already inactive to delete.
type deactivatePlan struct {
	Keys   []attackerKey
	Delete []attackerKey
}

// deletePlan is the follow-up: keys that read back Inactive, evidence excluded.
type deletePlan struct{ Keys []attackerKey }

// Plan deactivates the chosen keys. Deactivation is reversible, so the typed confirmation is the
// number of keys, not the account id that deletions ask for.
func (DisableAttackerKeys) Plan(ctx context.Context, env *Env, found *Inspection, selected []string) (*Plan, error) {
	f, ok := found.Data.(*attackerKeysFinding)
	if !ok {
		return nil, errors.New("iam.disable-attacker-keys: inspect first")
	}
	p, data := &Plan{}, &deactivatePlan{}
	for _, id := range selected {
		key, ok := f.Keys[id]
		switch {
		case !ok:
			p.Warnings = append(p.Warnings, id+" is not a key created after T0 on an existing user: not deactivated")
			continue
		case f.Mine[id]:
			p.Warnings = append(p.Warnings, fmt.Sprintf("not deactivating %s: lockdown signs in as %s", key.KeyID, key.User))
			continue
		}
		if key.Status != aws.KeyActive {
			if contains(env.Params.Strings("evidence"), key.KeyID) {
				p.Warnings = append(p.Warnings, key.KeyID+" is kept as evidence: it stays inactive and is not deleted")
				continue
			}
			data.Delete = append(data.Delete, key)
			p.Changes = append(p.Changes, Change{ID: KeyDeletionID(key.KeyID), Row: id, Op: "iam:DeleteAccessKey", Target: key.User,
				Summary: fmt.Sprintf("delete %s of %s, already inactive", key.KeyID, key.User), Destructive: true})
			continue
		}
		data.Keys = append(data.Keys, key)
		p.Changes = append(p.Changes, Change{ID: KeyDeactivationID(key.KeyID), Row: id, Op: "iam:UpdateAccessKey", Target: key.User,
			Summary: fmt.Sprintf("deactivate %s of %s", key.KeyID, key.User)})
	}
	p.Notes = append(p.Notes, "keys lockdown created (its journals name them) are not listed; one a teammate made after T0 is: leave it unselected, or name it in `keep`")
	p.Data = data
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Deactivate %s?", plural(len(data.Keys), "key"))}
	if env.Mode().Changes() {
		n := strconv.Itoa(len(data.Keys))
		p.Confirm = Confirm{Prompt: fmt.Sprintf("Type %s, the number of keys, to deactivate them", n), Typed: n}
	}
	if len(data.Delete) > 0 {
		// Deleting cannot be undone: the account id, as every deletion asks.
		typed := typedConfirmation(env)
		p.Confirm = Confirm{Prompt: fmt.Sprintf("Deactivate %s and delete %s?", plural(len(data.Keys), "key"), plural(len(data.Delete), "inactive key")), Typed: typed}
		if typed != "" {
			p.Confirm.Prompt = fmt.Sprintf("Type the account id %s to deactivate %s and delete %s for good", typed, plural(len(data.Keys), "key"), plural(len(data.Delete), "inactive key"))
		}
	}
	return p, nil
}

// Apply deactivates (or, for the follow-up, deletes) the planned keys, reading each back before
// saying it is done.
func (DisableAttackerKeys) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	switch data := plan.Data.(type) {
	case *deactivatePlan:
		return deactivateAttackerKeys(ctx, env, changes, data, report), nil
	case *deletePlan:
		return deleteAttackerKeys(ctx, env, changes, data, report), nil
	}
	return nil, errors.New("iam.disable-attacker-keys: not a key plan")
}

func deactivateAttackerKeys(ctx context.Context, env *Env, changes aws.Changes, data *deactivatePlan, report func(Progress)) *Outcome {
	out := &Outcome{}
	var inactive []attackerKey
	for _, key := range data.Keys {
		id := KeyDeactivationID(key.KeyID)
		eff, err := changes.DeactivateKey(ctx, key.User, key.KeyID)
		r := resultOf(id, eff, err, fmt.Sprintf("deactivate %s of %s", key.KeyID, key.User))
		if eff == aws.Changed || eff == aws.AlreadyDone {
			r = readBack(ctx, env, key, aws.KeyInactive, r)
		}
		if r.Status == StatusApplied || r.Status == StatusAlreadyDone {
			inactive = append(inactive, key)
		}
		out.Results = append(out.Results, r)
		env.Logger().Info("iam.disable-attacker-keys", "key", key.KeyID, "user", key.User, "effect", eff, "error", errText(err))
		if report != nil {
			report(Progress{Key: key.rowID(), State: progressOf([]Result{r}), Count: 1})
		}
	}
	if len(data.Delete) > 0 {
		deleted := deleteAttackerKeys(ctx, env, changes, &deletePlan{Keys: data.Delete}, report)
		out.Results = append(out.Results, deleted.Results...)
	}
	out.FollowUp = attackerKeyDeletion(env, inactive)
	return out
}

// readBack turns r into a failure unless the key now reads back in the wanted state.
func readBack(ctx context.Context, env *Env, key attackerKey, want string, r Result) Result {
	status, err := aws.KeyStatus(ctx, env.Account.IAM(), key.User, key.KeyID)
	switch {
	case err != nil:
		return Result{ChangeID: r.ChangeID, Status: StatusFailed, Code: "NotVerified", Message: "could not read the key back: " + aws.ErrorMessage(err)}
	case status != want:
		return Result{ChangeID: r.ChangeID, Status: StatusFailed, Code: "NotVerified", Message: key.KeyID + " still reads back " + status}
	}
	r.Message += " (reads back " + want + ")"
	return r
}

// attackerKeyDeletion proposes deleting the keys that read back Inactive, except evidence.
func attackerKeyDeletion(env *Env, inactive []attackerKey) *Plan {
	evidence := env.Params.Strings("evidence")
	p, data := &Plan{}, &deletePlan{}
	for _, key := range inactive {
		if contains(evidence, key.KeyID) {
			p.Notes = append(p.Notes, key.KeyID+" is kept as evidence: it stays inactive and is not deleted")
			continue
		}
		data.Keys = append(data.Keys, key)
		p.Changes = append(p.Changes, Change{ID: KeyDeletionID(key.KeyID), Row: key.rowID(), Op: "iam:DeleteAccessKey", Target: key.User,
			Summary: fmt.Sprintf("delete %s of %s", key.KeyID, key.User), Destructive: true})
	}
	if len(data.Keys) == 0 {
		return nil
	}
	p.Data = data
	typed := typedConfirmation(env)
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Delete %s now that they are inactive?", plural(len(data.Keys), "key")), Typed: typed}
	if typed != "" {
		p.Confirm.Prompt = fmt.Sprintf("Type the account id %s to delete %s for good", typed, plural(len(data.Keys), "inactive key"))
	}
	return p
}

// deleteAttackerKeys deletes keys that are still inactive; one reactivated since is left alone, as
// nobody reviewed deleting an active key.
func deleteAttackerKeys(ctx context.Context, env *Env, changes aws.Changes, data *deletePlan, report func(Progress)) *Outcome {
	out := &Outcome{}
	for _, key := range data.Keys {
		id := KeyDeletionID(key.KeyID)
		status, err := aws.KeyStatus(ctx, env.Account.IAM(), key.User, key.KeyID)
		var r Result
		switch {
		case err == nil && status != aws.KeyInactive:
			r = Result{ChangeID: id, Status: StatusFailed, Code: "Drift", Message: key.KeyID + " is " + status + " again: not deleted; inspect again"}
		default:
			eff, err := changes.DeleteKey(ctx, key.User, key.KeyID)
			r = resultOf(id, eff, err, fmt.Sprintf("delete %s of %s", key.KeyID, key.User))
			if eff == aws.Changed {
				r = readBackGone(ctx, env, key, r)
			}
			env.Logger().Info("iam.disable-attacker-keys", "delete", key.KeyID, "user", key.User, "effect", eff, "error", errText(err))
		}
		out.Results = append(out.Results, r)
		if report != nil {
			report(Progress{Key: key.rowID(), State: progressOf([]Result{r}), Count: 1})
		}
	}
	return out
}

func readBackGone(ctx context.Context, env *Env, key attackerKey, r Result) Result {
	_, err := aws.KeyStatus(ctx, env.Account.IAM(), key.User, key.KeyID)
	if errors.Is(err, aws.ErrNoSuchEntity) || aws.IsNoSuchEntity(err) {
		r.Message += " (no longer listed)"
		return r
	}
	why := "it is still listed"
	if err != nil {
		why = "could not read it back: " + aws.ErrorMessage(err)
	}
	return Result{ChangeID: r.ChangeID, Status: StatusFailed, Code: "NotVerified", Message: strings.TrimSpace(key.KeyID + " was deleted but " + why)}
}
