package runbooks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"lockdown/aws"
	"lockdown/steps"
)

// journaledChanges journals every change an Apply makes around its call, whatever the step: the
// intent is on disk before the call is sent and the settlement before the next call, so a kill at
// any moment leaves a record a later run can reconcile against the account. A change whose intent
// cannot be journaled is not made.
type journaledChanges struct {
	inner  aws.Changes
	ledger *Ledger
	// account reads the user's keys before a create, so a later run can tell which key it made.
	account *aws.ReadOnly
	// keep keeps a new secret durably; nil when the secret goes to the operator on screen.
	keep func(steps.Secret) error
}

// journaled wraps changes so each call is journaled in the step's ledger. Dry-run checks change
// nothing and are journaled by their results alone.
func (r *Run) journaled(stepID string, env *steps.Env, changes aws.Changes) (aws.Changes, error) {
	if changes.Mode() == aws.DryRun {
		return changes, nil
	}
	ledger, err := r.Ledger(stepID)
	if err != nil {
		return nil, err
	}
	return &journaledChanges{inner: changes, ledger: ledger, account: env.Account, keep: env.KeepSecret}, nil
}

// keepOnce keeps each key's secret once however often it is handed over: the journaled create
// keeps it before it records the key as made, and the step hands it over again.
func keepOnce(keep func(steps.Secret) error) func(steps.Secret) error {
	if keep == nil {
		return nil
	}
	var mu sync.Mutex
	kept := map[string]bool{}
	return func(s steps.Secret) error {
		mu.Lock()
		defer mu.Unlock()
		if kept[s.AccessKeyID] {
			return nil
		}
		if err := keep(s); err != nil {
			return err
		}
		kept[s.AccessKeyID] = true
		return nil
	}
}

func (j *journaledChanges) Mode() aws.Mode { return j.inner.Mode() }

// around journals c as intended, makes the call, and journals what it did.
func (j *journaledChanges) around(c steps.Change, call func() (aws.Effect, error)) (aws.Effect, error) {
	if err := j.ledger.Intend(c); err != nil {
		return "", fmt.Errorf("not sent, because the journal could not record it first: %w", err)
	}
	eff, err := call()
	if serr := j.ledger.Settle(settlementOf(c.ID, eff, err)); serr != nil {
		return eff, errors.Join(err, fmt.Errorf("the journal could not record what the call did: %w", serr))
	}
	return eff, err
}

// settlementOf classifies a call's end: done (made, or already so), unknown (sent and its answer
// lost: only reading the account tells) or failed (refused, nothing changed).
func settlementOf(id string, eff aws.Effect, err error) Settlement {
	switch {
	case err == nil:
		return Settlement{ChangeID: id, Outcome: CallDone, Message: string(eff)}
	case aws.OutcomeUnknown(err):
		return Settlement{ChangeID: id, Outcome: CallUnknown, Code: aws.ErrorCode(err), Message: err.Error()}
	default:
		return Settlement{ChangeID: id, Outcome: CallFailed, Code: aws.ErrorCode(err), Message: err.Error()}
	}
}

func (j *journaledChanges) DeactivateKey(ctx context.Context, user, keyID string) (aws.Effect, error) {
	c := steps.Change{ID: steps.KeyDeactivationID(keyID), Op: "iam:UpdateAccessKey", Target: user, Summary: fmt.Sprintf("deactivate %s of %s", keyID, user)}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeactivateKey(ctx, user, keyID) })
}

func (j *journaledChanges) DeleteKey(ctx context.Context, user, keyID string) (aws.Effect, error) {
	c := steps.Change{ID: steps.KeyDeletionID(keyID), Op: "iam:DeleteAccessKey", Target: user, Summary: fmt.Sprintf("delete %s of %s", keyID, user)}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteKey(ctx, user, keyID) })
}

func (j *journaledChanges) RevokeUserSessions(ctx context.Context, user string, cutoff, notBefore time.Time) (aws.Effect, error) {
	c := steps.Change{ID: steps.UserSessionsID(user), Op: "iam:PutUserPolicy", Target: user, Summary: "revoke the sessions of " + user}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RevokeUserSessions(ctx, user, cutoff, notBefore) })
}

func (j *journaledChanges) AttachUserPolicy(ctx context.Context, user, arn string) (aws.Effect, error) {
	c := steps.Change{ID: steps.UserPolicyID(user, arn), Op: "iam:AttachUserPolicy", Target: user, Summary: fmt.Sprintf("attach %s to %s", arn, user)}
	return j.around(c, func() (aws.Effect, error) { return j.inner.AttachUserPolicy(ctx, user, arn) })
}

func (j *journaledChanges) RevokeRoleSessions(ctx context.Context, role string, cutoff, notBefore time.Time) (aws.Effect, error) {
	c := steps.Change{ID: steps.RoleSessionsID(role), Op: "iam:PutRolePolicy", Target: role, Summary: "revoke the sessions of role " + role}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RevokeRoleSessions(ctx, role, cutoff, notBefore) })
}

func (j *journaledChanges) RemovePart(ctx context.Context, user string, part aws.UserPart) (aws.Effect, error) {
	c := steps.Change{ID: steps.UserPartID(user, part), Op: part.Kind.Operation(),
		Target: user, Summary: fmt.Sprintf("remove the %s %s of %s", part.Kind, part.ID, user)}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RemovePart(ctx, user, part) })
}

func (j *journaledChanges) DeleteUser(ctx context.Context, user string) (aws.Effect, error) {
	c := steps.Change{ID: steps.UserDeletionID(user), Op: "iam:DeleteUser", Target: user, Summary: "delete user " + user}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteUser(ctx, user) })
}

func (j *journaledChanges) UpdateRoleTrust(ctx context.Context, role, before, after string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RoleTrustID(role), Op: "iam:UpdateAssumeRolePolicy", Target: role, Summary: "remove the outside principals from the trust policy of " + role}
	return j.around(c, func() (aws.Effect, error) { return j.inner.UpdateRoleTrust(ctx, role, before, after) })
}

func (j *journaledChanges) RemoveRolePart(ctx context.Context, role string, part aws.RolePart) (aws.Effect, error) {
	c := steps.Change{ID: steps.RolePartID(role, part), Op: part.Kind.Operation(),
		Target: role, Summary: fmt.Sprintf("remove the %s %s of role %s", part.Kind, part.ID, role)}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RemoveRolePart(ctx, role, part) })
}

func (j *journaledChanges) DeleteRole(ctx context.Context, role string) (aws.Effect, error) {
	c := steps.Change{ID: steps.RoleDeletionID(role), Op: "iam:DeleteRole", Target: role, Summary: "delete role " + role}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteRole(ctx, role) })
}
