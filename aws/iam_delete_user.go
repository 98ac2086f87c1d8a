package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// UserPartsAPI is what listing the dependents of a user needs from IAM.
type UserPartsAPI interface {
	KeyReadAPI
	iam.ListMFADevicesAPIClient
	iam.ListGroupsForUserAPIClient
	iam.ListAttachedUserPoliciesAPIClient
	iam.ListUserPoliciesAPIClient
	iam.ListSigningCertificatesAPIClient
	iam.ListSSHPublicKeysAPIClient
	GetUser(ctx context.Context, in *iam.GetUserInput, optFns ...func(*iam.Options)) (*iam.GetUserOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, optFns ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
}

// UserPart is one thing IAM makes you remove before it deletes a user.
type UserPart struct {
	Kind PartKind `json:"kind"`
	// ID is the key id, device serial, certificate or SSH key id, credential id, policy name or
	// ARN, group name, or boundary ARN.
	ID string `json:"id"`
}

// PartKind names a kind of user dependent, in the order IAM requires them removed.
type PartKind string

const (
	PartAccessKey           PartKind = "access key"
	PartLoginProfile        PartKind = "console password"
	PartMFADevice           PartKind = "MFA device"
	PartSigningCertificate  PartKind = "signing certificate"
	PartSSHPublicKey        PartKind = "SSH public key"
	PartServiceCredential   PartKind = "service-specific credential"
	PartInlinePolicy        PartKind = "inline policy"
	PartAttachedPolicy      PartKind = "attached policy"
	PartGroup               PartKind = "group membership"
	PartPermissionsBoundary PartKind = "permissions boundary"
)

// Operation names the IAM calls that remove a part, for plans and journals.
func (k PartKind) Operation() string {
	switch k {
	case PartAccessKey:
		return "iam:DeleteAccessKey"
	case PartLoginProfile:
		return "iam:DeleteLoginProfile"
	case PartMFADevice:
		return "iam:DeactivateMFADevice+DeleteVirtualMFADevice"
	case PartSigningCertificate:
		return "iam:DeleteSigningCertificate"
	case PartSSHPublicKey:
		return "iam:DeleteSSHPublicKey"
	case PartServiceCredential:
		return "iam:DeleteServiceSpecificCredential"
	case PartInlinePolicy:
		return "iam:DeleteUserPolicy"
	case PartAttachedPolicy:
		return "iam:DetachUserPolicy"
	case PartGroup:
		return "iam:RemoveUserFromGroup"
	case PartPermissionsBoundary:
		return "iam:DeleteUserPermissionsBoundary"
	}
	return "iam:" + string(k)
}

func (p UserPart) String() string {
	if p.Kind == PartLoginProfile {
		return string(p.Kind)
	}
	return string(p.Kind) + " " + p.ID
}

// UserParts lists everything user has that blocks DeleteUser, in removal order. Notes say what
// could not be checked on this endpoint. A user that does not exist is ErrNoSuchEntity.
func UserParts(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, []string, error) {
	// Every list is read at once: a user costs one round trip of each, not the sum of them,
	// which is what throttling multiplies. The parts keep the order deletion needs.
	reads := []func() ([]UserPart, string, error){
		func() ([]UserPart, string, error) { return userKeys(ctx, api, user) },
		func() ([]UserPart, string, error) { return userLogin(ctx, api, user) },
		func() ([]UserPart, string, error) { return userMFA(ctx, api, user) },
		func() ([]UserPart, string, error) { return signingCertificates(ctx, api, user) },
		func() ([]UserPart, string, error) { return sshKeys(ctx, api, user) },
		func() ([]UserPart, string, error) { return serviceCredentials(ctx, api, user) },
		func() ([]UserPart, string, error) { return inlinePolicyParts(ctx, api, user) },
		func() ([]UserPart, string, error) { return attachedPolicyParts(ctx, api, user) },
		func() ([]UserPart, string, error) { return groupParts(ctx, api, user) },
	}
	found := make([][]UserPart, len(reads))
	notes := make([]string, len(reads))
	errs := make([]error, len(reads))
	var got *iam.GetUserOutput
	var userErr error
	var wg sync.WaitGroup
	wg.Go(func() { got, userErr = api.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String(user)}) })
	for i, read := range reads {
		wg.Go(func() { found[i], notes[i], errs[i] = read() })
	}
	wg.Wait()
	switch {
	case IsNoSuchEntity(userErr):
		return nil, nil, fmt.Errorf("user %s: %w", user, ErrNoSuchEntity)
	case userErr != nil:
		return nil, nil, fmt.Errorf("iam GetUser %s: %w", user, userErr)
	}
	var parts []UserPart
	var said []string
	for i := range reads {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		parts = append(parts, found[i]...)
		if notes[i] != "" {
			said = append(said, notes[i])
		}
	}
	if b := got.User.PermissionsBoundary; b != nil && sdk.ToString(b.PermissionsBoundaryArn) != "" {
		parts = append(parts, UserPart{Kind: PartPermissionsBoundary, ID: sdk.ToString(b.PermissionsBoundaryArn)})
	}
	return parts, said, nil
}

func userKeys(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	keys, err := ListAccessKeys(ctx, api, user, false)
	var parts []UserPart
	for _, k := range keys {
		parts = append(parts, UserPart{Kind: PartAccessKey, ID: k.ID})
	}
	return parts, "", err
}

func userLogin(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	login, err := LoginProfile(ctx, api, user)
	if err != nil || login == nil {
		return nil, "", err
	}
	return []UserPart{{Kind: PartLoginProfile, ID: user}}, "", nil
}

func userMFA(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	mfa, err := ListMFADevices(ctx, api, user)
	var parts []UserPart
	for _, d := range mfa {
		parts = append(parts, UserPart{Kind: PartMFADevice, ID: d.Serial})
	}
	return parts, "", err
}

func signingCertificates(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	var parts []UserPart
	certs := iam.NewListSigningCertificatesPaginator(api, &iam.ListSigningCertificatesInput{UserName: sdk.String(user)})
	for certs.HasMorePages() {
		page, err := certs.NextPage(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("iam ListSigningCertificates %s: %w", user, err)
		}
		for _, c := range page.Certificates {
			parts = append(parts, UserPart{Kind: PartSigningCertificate, ID: sdk.ToString(c.CertificateId)})
		}
	}
	return parts, "", nil
}

func sshKeys(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	var parts []UserPart
	ssh := iam.NewListSSHPublicKeysPaginator(api, &iam.ListSSHPublicKeysInput{UserName: sdk.String(user)})
	for ssh.HasMorePages() {
		page, err := ssh.NextPage(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("iam ListSSHPublicKeys %s: %w", user, err)
		}
		for _, k := range page.SSHPublicKeys {
			parts = append(parts, UserPart{Kind: PartSSHPublicKey, ID: sdk.ToString(k.SSHPublicKeyId)})
		}
	}
	return parts, "", nil
}

// serviceCredentials pages by hand: the SDK has no paginator for this operation. Some emulators do
// not implement it; that is a note for the operator, not a failure, since DeleteUser will still
// refuse if a credential exists.
func serviceCredentials(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	var parts []UserPart
	in := &iam.ListServiceSpecificCredentialsInput{UserName: sdk.String(user)}
	for {
		out, err := api.ListServiceSpecificCredentials(ctx, in)
		if err != nil {
			if notAvailable(err) {
				return nil, fmt.Sprintf("service-specific credentials of %s could not be listed on this endpoint (%s): check them by hand", user, ErrorMessage(err)), nil
			}
			return nil, "", fmt.Errorf("iam ListServiceSpecificCredentials %s: %w", user, err)
		}
		for _, c := range out.ServiceSpecificCredentials {
			parts = append(parts, UserPart{Kind: PartServiceCredential, ID: sdk.ToString(c.ServiceSpecificCredentialId)})
		}
		if !out.IsTruncated || sdk.ToString(out.Marker) == "" {
			return parts, "", nil
		}
		in.Marker = out.Marker
	}
}

// notAvailable reports an operation the endpoint does not implement: AWS's own NotImplemented or
// InvalidAction, a 501, or an emulator's 500 page that is not an AWS answer at all (moto's
// NotImplementedError). A 500 that is an AWS error (InternalError, InternalFailure) is a failure
// of the moment: the SDK has retried it, and it stays a failure, never "not available".
func notAvailable(err error) bool {
	switch ErrorCode(err) {
	case "NotImplemented", "InvalidAction":
		return true
	case "":
		var resp *smithyhttp.ResponseError
		var notAWS *smithy.DeserializationError
		if !errors.As(err, &resp) {
			return false
		}
		return resp.HTTPStatusCode() == 501 || resp.HTTPStatusCode() == 500 && errors.As(err, &notAWS)
	}
	return false
}

func inlinePolicyParts(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	inline, err := InlineUserPolicies(ctx, api, user)
	var parts []UserPart
	for _, n := range inline {
		parts = append(parts, UserPart{Kind: PartInlinePolicy, ID: n})
	}
	return parts, "", err
}

func attachedPolicyParts(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	attached, err := AttachedUserPolicies(ctx, api, user)
	var parts []UserPart
	for _, p := range attached {
		parts = append(parts, UserPart{Kind: PartAttachedPolicy, ID: p.ARN})
	}
	return parts, "", err
}

func groupParts(ctx context.Context, api UserPartsAPI, user string) ([]UserPart, string, error) {
	groups, err := GroupsForUser(ctx, api, user)
	var parts []UserPart
	for _, g := range groups {
		parts = append(parts, UserPart{Kind: PartGroup, ID: g})
	}
	return parts, "", err
}

// checkDeleteUser reads the user: one already gone is AlreadyDone.
func checkDeleteUser(ctx context.Context, api UserPartsAPI, user string) (Effect, error) {
	if _, err := api.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String(user)}); IsNoSuchEntity(err) {
		return AlreadyDone, nil
	} else if err != nil {
		return "", fmt.Errorf("iam GetUser %s: %w", user, err)
	}
	return WouldChange, nil
}
