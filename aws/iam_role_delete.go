package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// RoleChangeAPI is what reading one role and what stands in the way of deleting it needs.
type RoleChangeAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	iam.ListAttachedRolePoliciesAPIClient
	iam.ListRolePoliciesAPIClient
	iam.ListInstanceProfilesForRoleAPIClient
}

// RolePartKind is one kind of thing IAM requires gone before DeleteRole.
type RolePartKind string

const (
	RolePartAttachedPolicy  RolePartKind = "attached policy"
	RolePartInlinePolicy    RolePartKind = "inline policy"
	RolePartInstanceProfile RolePartKind = "instance profile"
)

// Operation is the IAM call that removes the part.
func (k RolePartKind) Operation() string {
	switch k {
	case RolePartAttachedPolicy:
		return "iam:DetachRolePolicy"
	case RolePartInlinePolicy:
		return "iam:DeleteRolePolicy"
	default:
		return "iam:RemoveRoleFromInstanceProfile"
	}
}

// RolePart is one policy or instance profile of a role, named by ARN, policy name or profile name.
type RolePart struct {
	Kind RolePartKind
	ID   string
}

func (p RolePart) String() string { return string(p.Kind) + " " + p.ID }

// RoleTrust reads the role's current trust policy (decoded); found is false when the role is gone.
func RoleTrust(ctx context.Context, api RoleChangeAPI, role string) (doc string, found bool, err error) {
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: sdk.String(role)})
	if IsNoSuchEntity(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("iam GetRole %s: %w", role, err)
	}
	return decodeDocument(sdk.ToString(out.Role.AssumeRolePolicyDocument)), true, nil
}

// ListRoleParts lists, in the order they must go, the managed and inline policies and the
// instance profiles of role: IAM refuses DeleteRole (DeleteConflict) while any is left.
func ListRoleParts(ctx context.Context, api RoleChangeAPI, role string) ([]RolePart, error) {
	var parts []RolePart
	name := sdk.String(role)
	attached := iam.NewListAttachedRolePoliciesPaginator(api, &iam.ListAttachedRolePoliciesInput{RoleName: name})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAttachedRolePolicies %s: %w", role, err)
		}
		for _, p := range page.AttachedPolicies {
			parts = append(parts, RolePart{Kind: RolePartAttachedPolicy, ID: sdk.ToString(p.PolicyArn)})
		}
	}
	inline := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: name})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRolePolicies %s: %w", role, err)
		}
		for _, p := range page.PolicyNames {
			parts = append(parts, RolePart{Kind: RolePartInlinePolicy, ID: p})
		}
	}
	profiles := iam.NewListInstanceProfilesForRolePaginator(api, &iam.ListInstanceProfilesForRoleInput{RoleName: name})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListInstanceProfilesForRole %s: %w", role, err)
		}
		for _, p := range page.InstanceProfiles {
			parts = append(parts, RolePart{Kind: RolePartInstanceProfile, ID: sdk.ToString(p.InstanceProfileName)})
		}
	}
	return parts, nil
}

// checkUpdateTrust: the role still has the trust policy the plan read (before), so the update
// would be made; it has after already: done; it is gone, or has another policy since: refused, so
// nothing the operator did not review is overwritten.
func checkUpdateTrust(ctx context.Context, api RoleChangeAPI, role, before, after string) (Effect, error) {
	current, found, err := RoleTrust(ctx, api, role)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", fmt.Errorf("role %s no longer exists", role)
	case SameTrust(current, after):
		return AlreadyDone, nil
	case !SameTrust(current, before):
		return "", fmt.Errorf("the trust policy of %s changed since the plan was made: plan again", role)
	}
	return WouldChange, nil
}

// checkDeleteRole: a role already gone is done.
func checkDeleteRole(ctx context.Context, api RoleChangeAPI, role string) (Effect, error) {
	if _, found, err := RoleTrust(ctx, api, role); err != nil || !found {
		if err == nil {
			return AlreadyDone, nil
		}
		return "", err
	}
	return WouldChange, nil
}
