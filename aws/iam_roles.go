package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// RoleReadAPI is what reading roles and their revocations needs from IAM.
type RoleReadAPI interface {
	iam.ListRolesAPIClient
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
}

// Role is an IAM role as the revoke step shows it.
type Role struct {
	Name    string
	ARN     string
	Path    string
	Created time.Time
	// RevokedBefore is the cutoff of an existing revoke-sessions policy, or zero.
	RevokedBefore time.Time
	// ExternalTrust is who outside the account may assume the role (see ExternalTrust).
	ExternalTrust []string
	// Trust is the role's trust policy, decoded.
	Trust string
}

// ServiceLinked reports a role only its AWS service may change; IAM refuses any policy on it.
func (r Role) ServiceLinked() bool { return strings.HasPrefix(r.Path, "/aws-service-role/") }

// ListRoles returns every role (paginated) with any revocation already in place.
func ListRoles(ctx context.Context, api RoleReadAPI) ([]Role, error) {
	var roles []Role
	p := iam.NewListRolesPaginator(api, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRoles: %w", err)
		}
		for _, r := range page.Roles {
			arn := sdk.ToString(r.Arn)
			roles = append(roles, Role{Name: sdk.ToString(r.RoleName), ARN: arn, Path: sdk.ToString(r.Path), Created: sdk.ToTime(r.CreateDate).UTC(),
				Trust: decodeDocument(sdk.ToString(r.AssumeRolePolicyDocument)), ExternalTrust: ExternalTrust(sdk.ToString(r.AssumeRolePolicyDocument), principalAccount(arn))})
		}
	}
	for i := range roles {
		if roles[i].ServiceLinked() {
			continue
		}
		cutoff, err := RoleRevocation(ctx, api, roles[i].Name)
		if err != nil {
			return nil, err
		}
		roles[i].RevokedBefore = cutoff
	}
	return roles, nil
}

// RoleRevocation returns the cutoff of role's revoke-sessions policy, or zero without one.
func RoleRevocation(ctx context.Context, api RoleReadAPI, role string) (time.Time, error) {
	out, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdk.String(role), PolicyName: sdk.String(RevokeSessionsPolicy)})
	if IsNoSuchEntity(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("iam GetRolePolicy %s: %w", role, err)
	}
	t, _ := RevocationCutoff(sdk.ToString(out.PolicyDocument))
	return t, nil
}

// checkRevokeRole reads the role's revocation: one at or after notBefore is AlreadyDone; an
// earlier one is replaced, as the console's button does.
func checkRevokeRole(ctx context.Context, api RoleReadAPI, role string, notBefore time.Time) (Effect, error) {
	existing, err := RoleRevocation(ctx, api, role)
	if err != nil {
		return "", err
	}
	if !existing.IsZero() && !existing.Before(notBefore) {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}
