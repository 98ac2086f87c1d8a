package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// liveChanges makes real changes. Only Account.Changes creates one, after the guard allowed
// changes; every method reads the current state, then asks the guard again right before its call,
// so an account confirmed to be another one since stops the very next call.
type liveChanges struct{ a *Account }

func (c *liveChanges) Mode() Mode { return c.a.guard.Mode() }

// send returns the IAM client when the guard still allows a change.
func (c *liveChanges) send() (*iam.Client, error) {
	if err := c.a.guard.AllowChange(); err != nil {
		return nil, err
	}
	return c.a.iamClient(), nil
}

func (c *liveChanges) DeactivateKey(ctx context.Context, user, keyID string) (Effect, error) {
	if eff, err := checkDeactivate(ctx, c.a.IAM(), user, keyID); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: sdk.String(user), AccessKeyId: sdk.String(keyID), Status: types.StatusTypeInactive})
	if err != nil {
		return "", fmt.Errorf("iam UpdateAccessKey %s Inactive: %w", keyID, err)
	}
	return Changed, nil
}

func (c *liveChanges) DeleteKey(ctx context.Context, user, keyID string) (Effect, error) {
	if eff, err := checkDeleteKey(ctx, c.a.IAM(), user, keyID); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: sdk.String(user), AccessKeyId: sdk.String(keyID)})
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("iam DeleteAccessKey %s: %w", keyID, err)
	}
	return Changed, nil
}

// CreateKey lets IAM itself enforce the two-key limit: the keys the plan deleted first are really
// gone in a live run.
func (c *liveChanges) CreateKey(ctx context.Context, user string, _ int) (NewKey, Effect, error) {
	if _, err := c.send(); err != nil {
		return NewKey{}, "", err
	}
	key, err := c.createKeyCarefully(ctx, user, c.a.policy.retry.wait, c.a.policy.retry.window)
	if err != nil {
		return NewKey{Orphans: key.Orphans}, "", err
	}
	return key, Changed, nil
}

func (c *liveChanges) RevokeUserSessions(ctx context.Context, user string, cutoff, notBefore time.Time) (Effect, error) {
	if eff, err := checkRevokeUser(ctx, c.a.IAM(), user, notBefore); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: sdk.String(user),
		PolicyName: sdk.String(RevokeSessionsPolicy), PolicyDocument: sdk.String(RevokeSessionsDocument(cutoff))})
	if err != nil {
		return "", fmt.Errorf("iam PutUserPolicy %s on %s: %w", RevokeSessionsPolicy, user, err)
	}
	return Changed, nil
}

func (c *liveChanges) AttachUserPolicy(ctx context.Context, user, arn string) (Effect, error) {
	if eff, err := checkAttach(ctx, c.a.IAM(), user, arn); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	if _, err := api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: sdk.String(user), PolicyArn: sdk.String(arn)}); err != nil {
		return "", fmt.Errorf("iam AttachUserPolicy %s to %s: %w", arn, user, err)
	}
	return Changed, nil
}

func (c *liveChanges) RevokeRoleSessions(ctx context.Context, role string, cutoff, notBefore time.Time) (Effect, error) {
	if eff, err := checkRevokeRole(ctx, c.a.IAM(), role, notBefore); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: sdk.String(role),
		PolicyName: sdk.String(RevokeSessionsPolicy), PolicyDocument: sdk.String(RevokeSessionsDocument(cutoff))})
	if err != nil {
		return "", fmt.Errorf("iam PutRolePolicy %s on %s: %w", RevokeSessionsPolicy, role, err)
	}
	c.a.renewOwnSession(ctx, role) // lockdown's own session of the role is revoked too: org_member.go
	return Changed, nil
}

func (c *liveChanges) DeleteUser(ctx context.Context, user string) (Effect, error) {
	if eff, err := checkDeleteUser(ctx, c.a.IAM(), user); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.DeleteUser(ctx, &iam.DeleteUserInput{UserName: sdk.String(user)})
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("iam DeleteUser %s: %w", user, err)
	}
	return Changed, nil
}

// RemovePart removes one dependent of user; a part that vanished since it was listed is
// AlreadyDone.
func (c *liveChanges) RemovePart(ctx context.Context, user string, part UserPart) (Effect, error) {
	api, err := c.send()
	if err != nil {
		return "", err
	}
	err = c.removePart(ctx, api, user, part)
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("removing %s of %s: %w", part, user, err)
	}
	return Changed, nil
}

func (c *liveChanges) removePart(ctx context.Context, api *iam.Client, user string, part UserPart) error {
	u, id := sdk.String(user), sdk.String(part.ID)
	var err error
	switch part.Kind {
	case PartAccessKey:
		_, err = api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: u, AccessKeyId: id})
	case PartLoginProfile:
		_, err = api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: u})
	case PartMFADevice:
		err = c.removeMFADevice(ctx, api, user, part.ID)
	case PartSigningCertificate:
		_, err = api.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: u, CertificateId: id})
	case PartSSHPublicKey:
		_, err = api.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: u, SSHPublicKeyId: id})
	case PartServiceCredential:
		_, err = api.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: u, ServiceSpecificCredentialId: id})
	case PartInlinePolicy:
		_, err = api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: u, PolicyName: id})
	case PartAttachedPolicy:
		_, err = api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: u, PolicyArn: id})
	case PartGroup:
		_, err = api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: u, GroupName: id})
	case PartPermissionsBoundary:
		_, err = api.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: u})
	default:
		err = fmt.Errorf("unknown kind of user part %q", part.Kind)
	}
	return err
}

// removeMFADevice deactivates the device, then deletes it if it is virtual: a virtual device left
// behind could be enabled again for another user by whoever holds its seed. The guard is asked
// again between the two calls.
func (c *liveChanges) removeMFADevice(ctx context.Context, api *iam.Client, user, serial string) error {
	_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: sdk.String(user), SerialNumber: sdk.String(serial)})
	if err != nil && !IsNoSuchEntity(err) {
		return err
	}
	if !strings.HasPrefix(serial, "arn:") {
		return nil // a hardware device: it goes back to its owner, not deleted
	}
	api, serr := c.send()
	if serr != nil {
		return serr
	}
	_, derr := api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: sdk.String(serial)})
	if IsNoSuchEntity(derr) {
		return err
	}
	return derr
}
