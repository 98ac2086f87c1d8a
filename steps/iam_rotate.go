package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/aws"
)

// RotateKeys is the action iam.rotate-keys: give each selected user a new access key, shown once,
// then deactivate the old one; deleting the old key is a later, separate confirmation.
type RotateKeys struct{}

// Spec describes iam.rotate-keys.
func (RotateKeys) Spec() Spec {
	return Spec{
		Name:    "iam.rotate-keys",
		Summary: "Create a new access key per user, show its secret once, deactivate (later delete) the old key",
		Params:  []Param{{Name: "users", Type: TypeStrings, Doc: "users to preselect"}},
	}
}

// Inspect lists users with keys; it preselects named users, or those whose keys are exposed: the
// leaked key's user and users whose keys the trace shows in the attacker's hands. Other keys used
// after T0 are listed with who used them from where, not preselected.
func (RotateKeys) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	me, rep, err := responderAndInventory(ctx, env, report)
	if err != nil {
		return nil, err
	}
	named := env.Params.Strings("users")
	own := map[string]bool{}
	if env.OwnKeys != nil {
		own = env.OwnKeys()
	}
	exposed := exposedKeys(env)
	t := &Table{Selectable: true, Columns: []Column{{Title: "User"}, {Title: "Keys"}, {Title: "Why"}}}
	failed := 0
	for _, u := range rep.Users {
		if len(u.Keys) == 0 && u.Error == "" {
			continue
		}
		row := Row{ID: u.Name, Cells: []string{u.Name, keySummary(u.Keys), ""}}
		if u.Error != "" {
			// A user whose keys could not be read is shown, never dropped: it may hold the key
			// that leaked the same way.
			failed++
			row.Tone, row.Reasons = ToneFailed, []string{"could not be read completely: " + u.Error}
			row.Cells[2] = row.Reasons[0]
			t.Rows = append(t.Rows, row)
			continue
		}
		rotate, notes := rotationReasons(env, exposed, u)
		row.Reasons = append(rotate, notes...)
		row.Selected = contains(named, u.Name) || (len(named) == 0 && len(rotate) > 0)
		if len(rotate) > 0 {
			row.Tone = ToneSuspicious
		}
		if u.CreatedBy != nil && u.CreatedBy.Attacker {
			row.Selected, row.Tone = contains(named, u.Name), ToneWarning
			row.Reasons = append([]string{"made by the attacker: \"Remove rogue IAM users\" deletes it whole"}, row.Reasons...)
		}
		if done := rotated(u.Keys, func(id string) bool { return own[id] && secretKept(env, id) }); done != "" {
			row.Selected, row.AlreadyDone = false, done
			row.Reasons = append(row.Reasons, done)
		}
		if u.Name == me.UserName() {
			row.Selected = false
			row.Reasons = append(row.Reasons, "lockdown's own user: rotating it ends this session's key")
		}
		row.Cells[2] = strings.Join(row.Reasons, "; ")
		t.Rows = append(t.Rows, row)
	}
	return &Inspection{Summary: fmt.Sprintf("%s with access keys, %d with a key exposed", plural(len(t.Rows), "user"), len(t.SelectedIDs())),
		Table: t, Failed: failed, Data: rep, Warnings: rotationWarning(env)}, nil
}

// rotated says how a user's keys show a rotation lockdown finished: its own new key, whose secret
// is kept, is active and every other key is off. "" when they do not.
func rotated(keys []KeyReport, own func(keyID string) bool) string {
	var mine, old []string
	for _, k := range keys {
		switch {
		case own(k.ID) && k.Status == aws.KeyActive:
			mine = append(mine, k.ID)
		case k.Status == aws.KeyActive:
			return ""
		default:
			old = append(old, k.ID)
		}
	}
	if len(mine) == 0 {
		return ""
	}
	done := "rotated: lockdown's new key " + strings.Join(mine, ", ") + " is active"
	if len(old) > 0 {
		done += ", the old " + strings.Join(old, ", ") + " inactive"
	}
	return done
}

func keySummary(keys []KeyReport) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += k.ID + " " + k.Status
	}
	return s
}

// rotatePlan is what Apply does per user. Made and Known make a repeated Apply (a resumed run)
// notice the key it already created instead of creating another.
type rotatePlan struct {
	Made  time.Time
	Users []rotation
	// DeleteOnly is the follow-up plan: delete the old keys that were deactivated.
	DeleteOnly bool
	// DeactivateOnly is the follow-up plan when nothing could say the new secrets are kept (the
	// TUI shows them once): deactivate the old keys once the operator has kept them.
	DeactivateOnly bool
}

type rotation struct {
	User        string
	Known       []string
	DeleteFirst string
	Deactivate  []string
	// Evidence are old keys used after T0 (the leaked key among them, if containment missed it):
	// deactivated, never offered for deletion.
	Evidence []string
	// NoRoom: the user has two inactive keys, which are evidence; no new key can be made.
	NoRoom bool
	// Created is the key this plan created, once it has: a retry must not create another, and
	// a key nobody here created must never be taken for it.
	Created string
	// Own is an active key an earlier run of lockdown created for the user and whose secret it
	// kept: the rotation's new key exists, and only the old keys are left to switch off.
	Own string
	// Unkept is a key an earlier run of lockdown created whose secret was never recorded as kept:
	// it is deleted first (DeleteFirst), since nobody is known to hold its secret.
	Unkept string
}

// planUserRotation plans one user's rotation, continuing one an earlier run began: lockdown's own
// new key is neither rotated away nor made twice. An own key whose secret was never recorded as
// kept (the run died with the secret on screen) is worth nothing: nobody can be known to hold its
// secret, so it is deleted first and the rotation starts again, the old keys staying active.
func planUserRotation(env *Env, user string, keys []aws.AccessKey) rotation {
	own := map[string]bool{}
	if env.OwnKeys != nil {
		own = env.OwnKeys()
	}
	i := slices.IndexFunc(keys, func(k aws.AccessKey) bool { return own[k.ID] && k.Status == aws.KeyActive })
	if i < 0 {
		return PlanRotation(user, keys, env.Since)
	}
	r := PlanRotation(user, slices.Delete(slices.Clone(keys), i, i+1), env.Since)
	r.Known = append(r.Known, keys[i].ID)
	if secretKept(env, keys[i].ID) {
		r.Own = keys[i].ID
		return r
	}
	r.DeleteFirst, r.Unkept = keys[i].ID, keys[i].ID
	return r
}

// secretKept reports whether the secret of a key lockdown made is recorded as kept.
func secretKept(env *Env, keyID string) bool {
	return env.SecretsKept != nil && env.SecretsKept()[keyID]
}

// PlanRotation decides, for one user's keys, which key must go first (IAM allows two) and which
// old keys to deactivate once the new key exists.
func PlanRotation(user string, keys []aws.AccessKey, since time.Time) rotation {
	r := rotation{User: user}
	for _, k := range keys {
		r.Known = append(r.Known, k.ID)
	}
	rest := slices.Clone(keys)
	if len(keys) >= aws.MaxKeysPerUser {
		victim := keyToMakeRoom(rest, since)
		if victim < 0 {
			r.NoRoom = true
			return r
		}
		r.DeleteFirst = rest[victim].ID
		rest = slices.Delete(rest, victim, victim+1)
	}
	for _, k := range rest {
		if k.Status == aws.KeyActive {
			r.Deactivate = append(r.Deactivate, k.ID)
			if !since.IsZero() && k.LastUsed.Date.After(since) {
				r.Evidence = append(r.Evidence, k.ID)
			}
		}
	}
	return r
}

// keyToMakeRoom picks the key deleted to make room for the new one: one created after T0 (likely
// the attacker's, and not what anything in production uses), then the least recently used active
// key. An inactive key is never picked: it is most likely the leaked key, deactivated by
// containment, and evidence that CloudTrail searches and the investigation need. With two inactive
// keys there is no room, and -1 says so.
func keyToMakeRoom(keys []aws.AccessKey, since time.Time) int {
	active := func(k aws.AccessKey) bool { return k.Status != aws.KeyInactive }
	if !since.IsZero() {
		if i := slices.IndexFunc(keys, func(k aws.AccessKey) bool { return active(k) && k.Created.After(since) }); i >= 0 {
			return i
		}
	}
	victim := -1
	for i, k := range keys {
		if active(k) && (victim < 0 || k.LastUsed.Date.Before(keys[victim].LastUsed.Date)) {
			victim = i
		}
	}
	return victim
}

// Plan reads each selected user's keys afresh and plans the rotation.
func (RotateKeys) Plan(ctx context.Context, env *Env, _ *Inspection, selected []string) (*Plan, error) {
	data := &rotatePlan{Made: env.Clock()}
	p := &Plan{Data: data}
	for _, user := range selected {
		keys, err := aws.ListAccessKeys(ctx, env.Account.IAM(), user, true)
		if err != nil {
			return nil, err
		}
		r := planUserRotation(env, user, keys)
		if r.NoRoom {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s is not rotated: it already has two inactive access keys (IAM allows two), which lockdown keeps as evidence; delete one by hand once the investigation no longer needs it", user))
			continue
		}
		data.Users = append(data.Users, r)
		p.Changes = append(p.Changes, rotationChanges(r)...)
		switch {
		case r.Unkept != "":
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s has %s, a key an earlier run of lockdown made whose secret was never recorded as saved: it is deleted and the rotation starts again; its old keys stay active until the new secret is saved", user, r.Unkept))
		case r.DeleteFirst != "":
			p.Notes = append(p.Notes, fmt.Sprintf("%s already has two access keys (IAM's limit): %s is deleted first", user, r.DeleteFirst))
		}
	}
	p.Notes = append(p.Notes, "Each new secret is shown once. Deleting the deactivated old keys is offered afterwards, as a separate confirmation.")
	p.Confirm = Confirm{Prompt: "Rotate the access keys of " + plural(len(data.Users), "user") + "?"}
	if slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Destructive }) {
		p.Confirm.Typed = typedConfirmation(env)
	}
	return p, nil
}

func rotationChanges(r rotation) []Change {
	var out []Change
	switch {
	case r.Unkept != "":
		out = append(out, Change{ID: KeyDeletionID(r.Unkept), Row: r.User, Op: "iam:DeleteAccessKey", Target: r.User, Destructive: true,
			Summary: fmt.Sprintf("delete %s of %s first: lockdown made it earlier, but its secret was never saved, so nothing can use it", r.Unkept, r.User)})
	case r.DeleteFirst != "":
		out = append(out, Change{ID: KeyDeletionID(r.DeleteFirst), Row: r.User, Op: "iam:DeleteAccessKey", Target: r.User, Destructive: true,
			Summary: fmt.Sprintf("delete %s of %s first: a user can have only two keys", r.DeleteFirst, r.User)})
	}
	if r.Own == "" {
		out = append(out, Change{ID: KeyCreationID(r.User), Row: r.User, Op: "iam:CreateAccessKey", Target: r.User, Summary: "create a new access key for " + r.User})
	}
	for _, id := range r.Deactivate {
		out = append(out, Change{ID: KeyDeactivationID(id), Row: r.User, Op: "iam:UpdateAccessKey", Target: r.User, Summary: fmt.Sprintf("deactivate the old key %s of %s", id, r.User)})
	}
	return out
}

// Apply rotates each user; the new secrets travel only in Outcome.Secrets.
func (RotateKeys) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	data, ok := plan.Data.(*rotatePlan)
	if !ok {
		return nil, errors.New("iam.rotate-keys: not a rotation plan")
	}
	switch {
	case data.DeleteOnly:
		return deleteOldKeys(ctx, env, changes, data), nil
	case data.DeactivateOnly:
		return deactivateOldKeys(ctx, env, changes, data), nil
	}
	out := &Outcome{}
	waiting := &rotatePlan{Made: data.Made, DeactivateOnly: true}
	deletable := &rotatePlan{Made: data.Made, DeleteOnly: true}
	for i := range data.Users {
		r := &data.Users[i]
		results, secret, state := rotateUser(ctx, env, changes, r)
		out.Results = append(out.Results, results...)
		if secret != nil {
			out.Secrets = append(out.Secrets, *secret)
		}
		switch state {
		case rotationWaits:
			waiting.Users = append(waiting.Users, rotation{User: r.User, Deactivate: r.Deactivate, Evidence: r.Evidence, Created: r.Created})
		case rotationDone:
			deletable.Users = append(deletable.Users, keepEvidence(out, r)...)
		}
	}
	switch {
	case len(waiting.Users) > 0:
		out.FollowUp = deactivationPlan(waiting)
	case len(deletable.Users) > 0:
		out.FollowUp = deletionPlan(env, deletable)
	}
	return out, nil
}
