package aws

import (
	"context"
	"fmt"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// userPartRemovers are the IAM calls that remove one dependent of a user.
type userPartRemovers interface {
	DeleteLoginProfile(ctx context.Context, in *iam.DeleteLoginProfileInput, optFns ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	DeactivateMFADevice(ctx context.Context, in *iam.DeactivateMFADeviceInput, optFns ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	DeleteVirtualMFADevice(ctx context.Context, in *iam.DeleteVirtualMFADeviceInput, optFns ...func(*iam.Options)) (*iam.DeleteVirtualMFADeviceOutput, error)
	DeleteSigningCertificate(ctx context.Context, in *iam.DeleteSigningCertificateInput, optFns ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
	DeleteSSHPublicKey(ctx context.Context, in *iam.DeleteSSHPublicKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteSSHPublicKeyOutput, error)
	DeleteServiceSpecificCredential(ctx context.Context, in *iam.DeleteServiceSpecificCredentialInput, optFns ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error)
	DeleteUserPolicy(ctx context.Context, in *iam.DeleteUserPolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error)
	DetachUserPolicy(ctx context.Context, in *iam.DetachUserPolicyInput, optFns ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
	RemoveUserFromGroup(ctx context.Context, in *iam.RemoveUserFromGroupInput, optFns ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
	DeleteUserPermissionsBoundary(ctx context.Context, in *iam.DeleteUserPermissionsBoundaryInput, optFns ...func(*iam.Options)) (*iam.DeleteUserPermissionsBoundaryOutput, error)
}

// RemovePart removes one dependent of user. The caller has just listed it, so in a dry run it is
// WouldChange; a part that vanished in the meantime is AlreadyDone.
func RemovePart(ctx context.Context, g *Guard, api DeleteUserAPI, user string, part UserPart) (Effect, error) {
	if eff, err := allow(g); eff != "" || err != nil {
		return eff, err
	}
	err := removePart(ctx, api, user, part)
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("removing %s of %s: %w", part, user, err)
	}
	return Changed, nil
}

func removePart(ctx context.Context, api DeleteUserAPI, user string, part UserPart) error {
	u, id := sdk.String(user), sdk.String(part.ID)
	var err error
	switch part.Kind {
	case PartAccessKey:
		_, err = api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: u, AccessKeyId: id})
	case PartLoginProfile:
		_, err = api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: u})
	case PartMFADevice:
		err = removeMFADevice(ctx, api, user, part.ID)
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
// behind could be enabled again for another user by whoever holds its seed.
func removeMFADevice(ctx context.Context, api DeleteUserAPI, user, serial string) error {
	_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: sdk.String(user), SerialNumber: sdk.String(serial)})
	if err != nil && !IsNoSuchEntity(err) {
		return err
	}
	if !strings.HasPrefix(serial, "arn:") {
		return nil // a hardware device: it goes back to its owner, not deleted
	}
	_, derr := api.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: sdk.String(serial)})
	if IsNoSuchEntity(derr) {
		return err
	}
	return derr
}
