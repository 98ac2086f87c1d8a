package aws

import (
	"context"
	"strings"
	"time"
)

// dryRunChanges checks every change without making it: IAM changes by reading the state they would
// change and then simulating the responder's permission for them, EC2 ones with DryRun=true
// requests through the prover. It holds no way to send a real change.
type dryRunChanges struct{ a *Account }

func (d *dryRunChanges) Mode() Mode { return DryRun }

func (d *dryRunChanges) DeactivateKey(ctx context.Context, user, keyID string) (Effect, error) {
	eff, err := checkDeactivate(ctx, d.a.IAM(), user, keyID)
	return d.prove(ctx, eff, err, on("iam:UpdateAccessKey", d.userARN(user)))
}

func (d *dryRunChanges) DeleteKey(ctx context.Context, user, keyID string) (Effect, error) {
	eff, err := checkDeleteKey(ctx, d.a.IAM(), user, keyID)
	return d.prove(ctx, eff, err, on("iam:DeleteAccessKey", d.userARN(user)))
}

func (d *dryRunChanges) CreateKey(ctx context.Context, user string, dryRunFreed int) (NewKey, Effect, error) {
	eff, err := checkCreateKey(ctx, d.a.IAM(), user, dryRunFreed)
	eff, err = d.prove(ctx, eff, err, on("iam:CreateAccessKey", d.userARN(user)))
	return NewKey{}, eff, err
}

func (d *dryRunChanges) RevokeUserSessions(ctx context.Context, user string, _, notBefore time.Time) (Effect, error) {
	eff, err := checkRevokeUser(ctx, d.a.IAM(), user, notBefore)
	return d.prove(ctx, eff, err, on("iam:PutUserPolicy", d.userARN(user)))
}

func (d *dryRunChanges) AttachUserPolicy(ctx context.Context, user, arn string) (Effect, error) {
	eff, err := checkAttach(ctx, d.a.IAM(), user, arn)
	return d.prove(ctx, eff, err, on("iam:AttachUserPolicy", d.userARN(user)))
}

func (d *dryRunChanges) RevokeRoleSessions(ctx context.Context, role string, _, notBefore time.Time) (Effect, error) {
	eff, err := checkRevokeRole(ctx, d.a.IAM(), role, notBefore)
	return d.prove(ctx, eff, err, on("iam:PutRolePolicy", d.roleARN(role)))
}

func (d *dryRunChanges) UpdateRoleTrust(ctx context.Context, role, before, after string) (Effect, error) {
	eff, err := checkUpdateTrust(ctx, d.a.IAM(), role, before, after)
	return d.prove(ctx, eff, err, on("iam:UpdateAssumeRolePolicy", d.roleARN(role)))
}

// RemoveRolePart: the caller has just listed the part, so it would be removed if the responder may.
func (d *dryRunChanges) RemoveRolePart(ctx context.Context, role string, part RolePart) (Effect, error) {
	return d.prove(ctx, WouldChange, nil, on(part.Kind.Operation(), d.roleARN(role)))
}

func (d *dryRunChanges) DeleteRole(ctx context.Context, role string) (Effect, error) {
	eff, err := checkDeleteRole(ctx, d.a.IAM(), role)
	return d.prove(ctx, eff, err, on("iam:DeleteRole", d.roleARN(role)))
}

// RemovePart: the caller has just listed the part, so it would be removed if the responder may.
func (d *dryRunChanges) RemovePart(ctx context.Context, user string, part UserPart) (Effect, error) {
	var needs []func(context.Context) (permission, error)
	for _, call := range strings.Split(strings.TrimPrefix(part.Kind.Operation(), "iam:"), "+") {
		resource := d.userARN(user)
		if call == "DeleteVirtualMFADevice" && strings.HasPrefix(part.ID, "arn:") {
			resource = func(context.Context) (string, error) { return part.ID, nil }
		}
		needs = append(needs, on("iam:"+call, resource))
	}
	return d.prove(ctx, WouldChange, nil, needs...)
}

func (d *dryRunChanges) DeleteUser(ctx context.Context, user string) (Effect, error) {
	eff, err := checkDeleteUser(ctx, d.a.IAM(), user)
	return d.prove(ctx, eff, err, on("iam:DeleteUser", d.userARN(user)))
}

func (d *dryRunChanges) TerminateInstances(ctx context.Context, targets []Target, opts TerminateOptions, report func(TerminateProgress)) (*Termination, error) {
	client := func(r string) regionChanges { return dryRunProver{c: d.a.ec2Client(r)} }
	return terminateWith(ctx, client, true, targets, opts, report), nil
}
