package aws

import (
	"context"
	"time"
)

// dryRunChanges checks every change without making it: IAM changes by reading the state they would
// change, EC2 ones with DryRun=true requests through the prover. It holds no way to send a real
// change.
type dryRunChanges struct{ a *Account }

func (d *dryRunChanges) Mode() Mode { return DryRun }

func (d *dryRunChanges) DeactivateKey(ctx context.Context, user, keyID string) (Effect, error) {
	return checkDeactivate(ctx, d.a.IAM(), user, keyID)
}

func (d *dryRunChanges) DeleteKey(ctx context.Context, user, keyID string) (Effect, error) {
	return checkDeleteKey(ctx, d.a.IAM(), user, keyID)
}

func (d *dryRunChanges) CreateKey(ctx context.Context, user string, dryRunFreed int) (NewKey, Effect, error) {
	eff, err := checkCreateKey(ctx, d.a.IAM(), user, dryRunFreed)
	return NewKey{}, eff, err
}

func (d *dryRunChanges) RevokeUserSessions(ctx context.Context, user string, _, notBefore time.Time) (Effect, error) {
	return checkRevokeUser(ctx, d.a.IAM(), user, notBefore)
}

func (d *dryRunChanges) AttachUserPolicy(ctx context.Context, user, arn string) (Effect, error) {
	return checkAttach(ctx, d.a.IAM(), user, arn)
}

func (d *dryRunChanges) RevokeRoleSessions(ctx context.Context, role string, _, notBefore time.Time) (Effect, error) {
	return checkRevokeRole(ctx, d.a.IAM(), role, notBefore)
}

// RemovePart: the caller has just listed the part, so it would be removed.
func (d *dryRunChanges) RemovePart(context.Context, string, UserPart) (Effect, error) {
	return WouldChange, nil
}

func (d *dryRunChanges) DeleteUser(ctx context.Context, user string) (Effect, error) {
	return checkDeleteUser(ctx, d.a.IAM(), user)
}

func (d *dryRunChanges) TerminateInstances(ctx context.Context, targets []Target, opts TerminateOptions, report func(TerminateProgress)) (*Termination, error) {
	client := func(r string) regionChanges { return dryRunProver{c: d.a.ec2Client(r)} }
	return terminateWith(ctx, client, true, targets, opts, report), nil
}
