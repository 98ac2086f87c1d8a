package aws

import (
	"context"
	"errors"
	"time"
)

// Changes is what an action's Apply may do to the account, and the only way it can. In a live run
// (or a drill) it is the live changes, which exist only after the guard allowed them and ask it
// again before every call. In a dry run it is the dry-run checks: IAM changes checked by reading
// state, EC2 ones proven by requests that carry DryRun=true and nothing else.
type Changes interface {
	// Mode is the mode the changes were handed out in.
	Mode() Mode
	DeactivateKey(ctx context.Context, user, keyID string) (Effect, error)
	DeleteKey(ctx context.Context, user, keyID string) (Effect, error)
	// CreateKey creates an access key for user; in a dry run it returns WouldChange without a key.
	// dryRunFreed counts keys the same plan deletes first, which a dry run did not really delete.
	CreateKey(ctx context.Context, user string, dryRunFreed int) (NewKey, Effect, error)
	// RevokeUserSessions puts the revoke-sessions policy on user with cutoff; an existing
	// revocation at or after notBefore is AlreadyDone.
	RevokeUserSessions(ctx context.Context, user string, cutoff, notBefore time.Time) (Effect, error)
	AttachUserPolicy(ctx context.Context, user, arn string) (Effect, error)
	RevokeRoleSessions(ctx context.Context, role string, cutoff, notBefore time.Time) (Effect, error)
	// UpdateRoleTrust replaces the role's trust policy before, as the plan read it, with after;
	// done only once GetRole reads after back.
	UpdateRoleTrust(ctx context.Context, role, before, after string) (Effect, error)
	// RemoveRolePart removes one policy or instance profile of role, which the caller has just listed.
	RemoveRolePart(ctx context.Context, role string, part RolePart) (Effect, error)
	// DeleteRole deletes a role that has nothing left; done only once GetRole says NoSuchEntity.
	DeleteRole(ctx context.Context, role string) (Effect, error)
	// RemovePart removes one dependent of user, which the caller has just listed.
	RemovePart(ctx context.Context, user string, part UserPart) (Effect, error)
	// DeleteUser deletes a user that has no dependents left.
	DeleteUser(ctx context.Context, user string) (Effect, error)
	TerminateInstances(ctx context.Context, targets []Target, opts TerminateOptions, report func(TerminateProgress)) (*Termination, error)
	// StartLogging starts a trail, from its home region; a trail that logs already is AlreadyDone.
	StartLogging(ctx context.Context, homeRegion, trailARN string) (Effect, error)
	// RestoreSelectors puts a trail's event selectors back to every management event, keeping
	// its data events; one that records them all already is AlreadyDone.
	RestoreSelectors(ctx context.Context, homeRegion, trailARN string) (Effect, error)
	// EnableDetector turns a region's GuardDuty detector back on.
	EnableDetector(ctx context.Context, region, detectorID string) (Effect, error)
	// CreateDetector creates an enabled detector in a region that has none.
	CreateDetector(ctx context.Context, region string) (Effect, error)
	// DeleteKeyPair deletes a region's EC2 key pair, by id; one already gone is AlreadyDone.
	DeleteKeyPair(ctx context.Context, region, keyPairID string) (Effect, error)
	IAMPersistenceChanges
	RespawnerChanges
	ExposureChanges
	InstanceStopChanges
}

// Effect is what a change did, or would do in a dry run.
type Effect string

const (
	Changed     Effect = "changed"
	AlreadyDone Effect = "already-done"
	// WouldChange: a dry run checked the current state and the change would be made.
	WouldChange Effect = "would-change"
)

// Changes hands out what Apply may do now: the live changes when the guard allows changes, the
// dry-run checks in a dry run, and otherwise the guard's reason (the wrong account, or none
// confirmed yet).
func (a *Account) Changes() (Changes, error) {
	switch err := a.guard.AllowChange(); {
	case err == nil:
		return &liveChanges{a: a}, nil
	case errors.Is(err, ErrDryRun):
		return &dryRunChanges{a: a}, nil
	default:
		return nil, err
	}
}

// Refused returns changes that refuse every call with err, so a refusal reaches the operator change
// by change, with its whole reason, like any other failure.
func Refused(err error) Changes { return refusal{err: err} }

type refusal struct{ err error }

func (r refusal) Mode() Mode { return DryRun }
func (r refusal) DeactivateKey(context.Context, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) DeleteKey(context.Context, string, string) (Effect, error) { return "", r.err }
func (r refusal) CreateKey(context.Context, string, int) (NewKey, Effect, error) {
	return NewKey{}, "", r.err
}
func (r refusal) RevokeUserSessions(context.Context, string, time.Time, time.Time) (Effect, error) {
	return "", r.err
}
func (r refusal) AttachUserPolicy(context.Context, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) RevokeRoleSessions(context.Context, string, time.Time, time.Time) (Effect, error) {
	return "", r.err
}
func (r refusal) UpdateRoleTrust(context.Context, string, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) RemoveRolePart(context.Context, string, RolePart) (Effect, error) { return "", r.err }
func (r refusal) DeleteRole(context.Context, string) (Effect, error)               { return "", r.err }
func (r refusal) RemovePart(context.Context, string, UserPart) (Effect, error)     { return "", r.err }
func (r refusal) DeleteUser(context.Context, string) (Effect, error)               { return "", r.err }
func (r refusal) TerminateInstances(context.Context, []Target, TerminateOptions, func(TerminateProgress)) (*Termination, error) {
	return nil, r.err
}
