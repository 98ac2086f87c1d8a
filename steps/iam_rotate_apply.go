package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// rotationState is where one user's rotation stands after Apply.
type rotationState int

const (
	rotationFailed rotationState = iota
	// rotationDone: the new key exists, its secret is kept, the old keys are deactivated.
	rotationDone
	// rotationWaits: the new key exists and its secret goes to the operator; the old keys stay
	// active until the operator confirms, having kept it.
	rotationWaits
)

// rotateUser deletes the key that must make room, creates the new key, has its secret kept, and
// only then deactivates the old ones. When nothing can keep the secret here (the TUI shows it
// once), the old keys stay active and wait for a follow-up the operator confirms after keeping
// it. A rotation that fails leaves the old keys active.
func rotateUser(ctx context.Context, env *Env, changes aws.Changes, r *rotation) ([]Result, *Secret, rotationState) {
	var results []Result
	if r.DeleteFirst != "" {
		eff, err := changes.DeleteKey(ctx, r.User, r.DeleteFirst)
		results = append(results, resultOf(KeyDeletionID(r.DeleteFirst), eff, err, "deleted "+r.DeleteFirst))
		if err != nil {
			return results, nil, rotationFailed
		}
	}
	if r.Own != "" {
		// An earlier run made the new key and kept its secret: only the old keys are left.
		return append(results, deactivate(ctx, changes, r)...), nil, rotationDone
	}
	created, secret, res := createOnce(ctx, env, changes, r)
	env.Logger().Info("iam.rotate-keys", "user", r.User, "new_key", created, "status", res.Status)
	switch {
	case res.Status == StatusFailed:
		return append(results, res), nil, rotationFailed
	case env.KeepSecret == nil && (res.Status == StatusApplied || res.Status == StatusAlreadyDone) && len(r.Deactivate) == 0:
		// No old key is active (the leaked one is contained already): nothing waits for the secret.
		return append(results, res), secret, rotationDone
	case env.KeepSecret == nil && (res.Status == StatusApplied || res.Status == StatusAlreadyDone):
		results = append(results, res)
		for _, id := range r.Deactivate {
			results = append(results, Result{ChangeID: KeyDeactivationID(id), Status: StatusSkipped,
				Message: id + " stays active until the new secret is kept: confirm its deactivation next"})
		}
		return results, secret, rotationWaits
	case secret != nil:
		if err := env.KeepSecret(*secret); err != nil {
			secret.Wipe()
			return append(results, unkept(ctx, changes, r, created, err)...), nil, rotationFailed
		}
		secret.Wipe()
		secret = nil // kept where the operator asked; it goes nowhere else
		res.Message = strings.Replace(res.Message, "its secret is shown once", "its secret is kept in the secrets file", 1)
	}
	results = append(results, res)
	results = append(results, deactivate(ctx, changes, r)...)
	return results, secret, rotationDone
}

func deactivate(ctx context.Context, changes aws.Changes, r *rotation) []Result {
	var results []Result
	for _, id := range r.Deactivate {
		eff, err := changes.DeactivateKey(ctx, r.User, id)
		results = append(results, resultOf(KeyDeactivationID(id), eff, err, "deactivated "+id))
	}
	return results
}

// deactivationPlan is the follow-up that switches the old keys off once the new secrets are kept.
func deactivationPlan(data *rotatePlan) *Plan {
	p := &Plan{Data: data}
	for _, r := range data.Users {
		for _, id := range r.Deactivate {
			p.Changes = append(p.Changes, Change{ID: KeyDeactivationID(id), Row: r.User, Op: "iam:UpdateAccessKey", Target: r.User,
				Summary: fmt.Sprintf("deactivate the old key %s of %s", id, r.User)})
		}
	}
	p.Notes = []string{"Confirm only once each new secret is kept where the service reads it: until then the old key is what keeps it running."}
	p.Confirm = Confirm{Prompt: "The new secrets are kept? Deactivate " + plural(len(p.Changes), "old key")}
	return p
}

// deactivateOldKeys applies the deactivation follow-up: a user's old keys go off only once the
// secret of the key that replaces them is recorded as kept (saved to a file, or stored elsewhere
// on the operator's word); until then they stay active and wait in a further follow-up. Then it
// offers deleting what may be deleted.
func deactivateOldKeys(ctx context.Context, env *Env, changes aws.Changes, data *rotatePlan) *Outcome {
	out := &Outcome{}
	deletable := &rotatePlan{Made: data.Made, DeleteOnly: true}
	waiting := &rotatePlan{Made: data.Made, DeactivateOnly: true}
	for i := range data.Users {
		r := &data.Users[i]
		if r.Created != "" && !secretKept(env, r.Created) {
			waiting.Users = append(waiting.Users, *r)
			for _, id := range r.Deactivate {
				out.Results = append(out.Results, Result{ChangeID: KeyDeactivationID(id), Status: StatusSkipped, Code: "SecretNotSaved",
					Message: fmt.Sprintf("%s stays active: the secret of its replacement %s is not recorded as saved, and switching %s off would leave %s with no key anyone holds", id, r.Created, id, r.User)})
			}
			continue
		}
		results := deactivate(ctx, changes, r)
		out.Results = append(out.Results, results...)
		if !slices.ContainsFunc(results, func(res Result) bool { return res.Status == StatusFailed }) {
			deletable.Users = append(deletable.Users, keepEvidence(out, r)...)
		}
	}
	switch {
	case len(waiting.Users) > 0:
		out.FollowUp = deactivationPlan(waiting)
	case len(deletable.Users) > 0:
		out.FollowUp = deletionPlan(env, deletable)
	}
	return out
}

// keepEvidence returns the user's deactivated keys that may be offered for deletion, and says
// which are kept: an old key used after T0 may be the leaked one, and is evidence.
func keepEvidence(out *Outcome, r *rotation) []rotation {
	var deletable []string
	for _, id := range r.Deactivate {
		if slices.Contains(r.Evidence, id) {
			out.Facts = append(out.Facts, Fact{Label: "Kept as evidence", Value: id + " of " + r.User + " was used after T0: deactivated, never deleted by rotation", Tone: ToneWarning})
			continue
		}
		deletable = append(deletable, id)
	}
	if len(deletable) == 0 {
		return nil
	}
	return []rotation{{User: r.User, Deactivate: deletable}}
}

// unkept undoes a new key whose secret could not be kept: nobody holds that secret, so the key is
// deleted again, and the old keys stay active because nothing could take over from them.
func unkept(ctx context.Context, changes aws.Changes, r *rotation, created string, cause error) []Result {
	msg := fmt.Sprintf("created %s for %s, but its secret could not be kept (%v): ", created, r.User, cause)
	if _, err := changes.DeleteKey(ctx, r.User, created); err != nil {
		msg += fmt.Sprintf("deleting it again failed too (%v): delete %s by hand; ", err, created)
	} else {
		msg += created + " was deleted again; "
		r.Created = ""
	}
	results := []Result{{ChangeID: KeyCreationID(r.User), Status: StatusFailed, Code: "SecretNotKept", Message: msg + "the old keys stay active"}}
	for _, id := range r.Deactivate {
		results = append(results, Result{ChangeID: KeyDeactivationID(id), Status: StatusSkipped,
			Message: "not deactivated: the new key's secret was not kept, so " + id + " stays active"})
	}
	return results
}

// createOnce creates the user's new key unless a previous Apply of this plan already did. A key
// that appeared since the plan without lockdown creating it stops the rotation: it may be the
// attacker's, and must never be taken for the new key while the real one is deactivated.
func createOnce(ctx context.Context, env *Env, changes aws.Changes, r *rotation) (string, *Secret, Result) {
	id := KeyCreationID(r.User)
	keys, err := aws.ListAccessKeys(ctx, env.Account.IAM(), r.User, false)
	if err != nil {
		return "", nil, resultOf(id, "", err, "")
	}
	for _, k := range keys {
		if k.ID == r.Created {
			return k.ID, nil, Result{ChangeID: id, Status: StatusAlreadyDone,
				Message: fmt.Sprintf("%s was created by this plan already: not creating another", k.ID)}
		}
	}
	for _, k := range keys {
		if !slices.Contains(r.Known, k.ID) {
			return "", nil, Result{ChangeID: id, Status: StatusFailed, Code: "UnexpectedKey",
				Message: fmt.Sprintf("%s appeared on %s at %s, after this plan, and lockdown did not create it (the attacker?): nothing was created or deactivated for %s; contain that key, then inspect again",
					k.ID, r.User, when(k.Created), r.User)}
		}
	}
	dryRunRoom := 0
	if r.DeleteFirst != "" {
		dryRunRoom = 1 // in a dry run the key that makes room was not really deleted
	}
	key, eff, err := changes.CreateKey(ctx, r.User, dryRunRoom)
	if err != nil || eff != aws.Changed {
		res := resultOf(id, eff, err, "create a new access key for "+r.User)
		res.Message += orphanNote(key.Orphans)
		return "", nil, res
	}
	r.Created = key.ID
	secret := NewSecret("Secret access key of "+r.User, key.ID, key.Secret())
	return key.ID, &secret, Result{ChangeID: id, Status: StatusApplied,
		Message: fmt.Sprintf("created %s for %s: its secret is shown once%s", key.ID, r.User, orphanNote(key.Orphans))}
}

// orphanNote names the keys lost answers made before the new key, which careful creation deleted
// because nobody held their secrets: the operator sees every key that came and went.
func orphanNote(orphans []string) string {
	if len(orphans) == 0 {
		return ""
	}
	if len(orphans) == 1 {
		return fmt.Sprintf(" (an earlier try's answer was lost; the key it made, whose secret nobody held, was deleted: %s)", orphans[0])
	}
	return fmt.Sprintf(" (earlier tries' answers were lost; the keys they made, whose secrets nobody held, were deleted: %s)", strings.Join(orphans, ", "))
}

// deletionPlan is the follow-up that deletes the deactivated old keys.
func deletionPlan(env *Env, data *rotatePlan) *Plan {
	p := &Plan{Data: data}
	for _, r := range data.Users {
		for _, id := range r.Deactivate {
			p.Changes = append(p.Changes, Change{ID: KeyDeletionID(id), Row: r.User, Op: "iam:DeleteAccessKey", Target: r.User, Destructive: true,
				Summary: fmt.Sprintf("delete the old key %s of %s", id, r.User)})
		}
	}
	p.Notes = []string{"Delete old keys only once their last-used time has stopped advancing and nothing has complained."}
	p.Confirm = Confirm{Prompt: "Delete " + plural(len(p.Changes), "deactivated old key") + "?", Typed: typedConfirmation(env)}
	return p
}

func deleteOldKeys(ctx context.Context, env *Env, changes aws.Changes, data *rotatePlan) *Outcome {
	out := &Outcome{}
	for _, r := range data.Users {
		for _, id := range r.Deactivate {
			eff, err := changes.DeleteKey(ctx, r.User, id)
			out.Results = append(out.Results, resultOf(KeyDeletionID(id), eff, err, "deleted "+id))
			env.Logger().Info("iam.rotate-keys", "user", r.User, "deleted_key", id, "effect", eff, "error", errText(err))
		}
	}
	return out
}
