package aws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// What an attacker leaves in IAM besides users, keys and roles, read without changing anything:
// customer-managed policy versions, OIDC and SAML identity providers, the inline policies of
// roles and groups, and the state of a user's console password.

// IAMPersistenceReadAPI is every read the IAM persistence hunt makes beyond the inventory's.
type IAMPersistenceReadAPI interface {
	iam.ListPoliciesAPIClient
	iam.ListPolicyVersionsAPIClient
	iam.ListGroupsAPIClient
	iam.ListGroupPoliciesAPIClient
	iam.ListRolePoliciesAPIClient
	iam.ListRolesAPIClient
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	ListOpenIDConnectProviders(ctx context.Context, in *iam.ListOpenIDConnectProvidersInput, optFns ...func(*iam.Options)) (*iam.ListOpenIDConnectProvidersOutput, error)
	GetOpenIDConnectProvider(ctx context.Context, in *iam.GetOpenIDConnectProviderInput, optFns ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error)
	ListSAMLProviders(ctx context.Context, in *iam.ListSAMLProvidersInput, optFns ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	GetGroupPolicy(ctx context.Context, in *iam.GetGroupPolicyInput, optFns ...func(*iam.Options)) (*iam.GetGroupPolicyOutput, error)
	GetLoginProfile(ctx context.Context, in *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
}

// PolicyVersion is one version of a customer-managed policy.
type PolicyVersion struct {
	ID      string    `json:"id"`
	Default bool      `json:"default"`
	Created time.Time `json:"created"`
}

// CustomerPolicy is a customer-managed policy with its versions, newest first.
type CustomerPolicy struct {
	Name        string          `json:"name"`
	ARN         string          `json:"arn"`
	Attachments int             `json:"attachments"`
	Versions    []PolicyVersion `json:"versions"`
}

// DefaultVersion is the version IAM evaluates.
func (p CustomerPolicy) DefaultVersion() PolicyVersion {
	for _, v := range p.Versions {
		if v.Default {
			return v
		}
	}
	return PolicyVersion{}
}

// VersionBefore is the newest version created before t, the one to make default again.
func (p CustomerPolicy) VersionBefore(t time.Time) (PolicyVersion, bool) {
	var best PolicyVersion
	found := false
	for _, v := range p.Versions {
		if v.Created.Before(t) && (!found || v.Created.After(best.Created)) {
			best, found = v, true
		}
	}
	return best, found
}

// ListCustomerPolicies returns every customer-managed policy (paginated) with its versions.
func ListCustomerPolicies(ctx context.Context, api IAMPersistenceReadAPI) ([]CustomerPolicy, error) {
	var out []CustomerPolicy
	p := iam.NewListPoliciesPaginator(api, &iam.ListPoliciesInput{Scope: "Local"})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListPolicies: %w", err)
		}
		for _, pol := range page.Policies {
			out = append(out, CustomerPolicy{Name: sdk.ToString(pol.PolicyName), ARN: sdk.ToString(pol.Arn), Attachments: int(sdk.ToInt32(pol.AttachmentCount))})
		}
	}
	for i := range out {
		vs, err := ListPolicyVersions(ctx, api, out[i].ARN)
		if err != nil {
			return nil, err
		}
		out[i].Versions = vs
	}
	return out, nil
}

// ListPolicyVersions returns a policy's versions, newest first.
func ListPolicyVersions(ctx context.Context, api iam.ListPolicyVersionsAPIClient, arn string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	p := iam.NewListPolicyVersionsPaginator(api, &iam.ListPolicyVersionsInput{PolicyArn: sdk.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListPolicyVersions %s: %w", arn, err)
		}
		for _, v := range page.Versions {
			out = append(out, PolicyVersion{ID: sdk.ToString(v.VersionId), Default: v.IsDefaultVersion, Created: sdk.ToTime(v.CreateDate).UTC()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// PolicyVersionDocument returns one version's document, decoded.
func PolicyVersionDocument(ctx context.Context, api IAMPersistenceReadAPI, arn, version string) (string, error) {
	out, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: sdk.String(arn), VersionId: sdk.String(version)})
	if err != nil {
		return "", fmt.Errorf("iam GetPolicyVersion %s %s: %w", arn, version, err)
	}
	if out.PolicyVersion == nil {
		return "", nil
	}
	return decodeDocument(sdk.ToString(out.PolicyVersion.Document)), nil
}

// IdentityProvider is an OIDC or SAML provider of the account.
type IdentityProvider struct {
	// Kind is "OIDC" or "SAML".
	Kind    string    `json:"kind"`
	ARN     string    `json:"arn"`
	Created time.Time `json:"created"`
}

// Name is the provider's URL (OIDC) or name (SAML), from its ARN.
func (p IdentityProvider) Name() string {
	if _, rest, ok := strings.Cut(p.ARN, "-provider/"); ok {
		return rest
	}
	return p.ARN
}

// IsSAMLProvider reports whether arn names a SAML provider rather than an OIDC one.
func IsSAMLProvider(arn string) bool { return strings.Contains(arn, ":saml-provider/") }

// ListIdentityProviders returns the account's OIDC and SAML providers with their creation times.
func ListIdentityProviders(ctx context.Context, api IAMPersistenceReadAPI) ([]IdentityProvider, error) {
	oidc, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return nil, fmt.Errorf("iam ListOpenIDConnectProviders: %w", err)
	}
	var out []IdentityProvider
	for _, p := range oidc.OpenIDConnectProviderList {
		arn := sdk.ToString(p.Arn)
		got, err := api.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: sdk.String(arn)})
		if IsNoSuchEntity(err) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("iam GetOpenIDConnectProvider %s: %w", arn, err)
		}
		out = append(out, IdentityProvider{Kind: "OIDC", ARN: arn, Created: sdk.ToTime(got.CreateDate).UTC()})
	}
	saml, err := api.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		return nil, fmt.Errorf("iam ListSAMLProviders: %w", err)
	}
	for _, p := range saml.SAMLProviderList {
		out = append(out, IdentityProvider{Kind: "SAML", ARN: sdk.ToString(p.Arn), Created: sdk.ToTime(p.CreateDate).UTC()})
	}
	return out, nil
}

// identityProviderExists reads whether the provider is still there.
func identityProviderExists(ctx context.Context, api IAMPersistenceReadAPI, arn string) (bool, error) {
	ps, err := ListIdentityProviders(ctx, api)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.ARN == arn {
			return true, nil
		}
	}
	return false, nil
}

// InlinePolicy is an inline policy of a role or a group.
type InlinePolicy struct {
	// OwnerKind is "role" or "group".
	OwnerKind string `json:"owner_kind"`
	Owner     string `json:"owner"`
	Name      string `json:"name"`
	Document  string `json:"document"`
}

// ListRoleAndGroupInlinePolicies returns the inline policies of every role and group.
// Service-linked roles are skipped: only their service may change them.
func ListRoleAndGroupInlinePolicies(ctx context.Context, api IAMPersistenceReadAPI) ([]InlinePolicy, error) {
	var out []InlinePolicy
	roles := iam.NewListRolesPaginator(api, &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRoles: %w", err)
		}
		for _, r := range page.Roles {
			if strings.HasPrefix(sdk.ToString(r.Path), "/aws-service-role/") {
				continue
			}
			got, err := roleInlinePolicies(ctx, api, sdk.ToString(r.RoleName))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
	}
	groups := iam.NewListGroupsPaginator(api, &iam.ListGroupsInput{})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListGroups: %w", err)
		}
		for _, g := range page.Groups {
			got, err := groupInlinePolicies(ctx, api, sdk.ToString(g.GroupName))
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
	}
	return out, nil
}

func roleInlinePolicies(ctx context.Context, api IAMPersistenceReadAPI, role string) ([]InlinePolicy, error) {
	var out []InlinePolicy
	p := iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: sdk.String(role)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListRolePolicies %s: %w", role, err)
		}
		for _, name := range page.PolicyNames {
			got, err := api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdk.String(role), PolicyName: sdk.String(name)})
			if err != nil {
				return nil, fmt.Errorf("iam GetRolePolicy %s %s: %w", role, name, err)
			}
			out = append(out, InlinePolicy{OwnerKind: "role", Owner: role, Name: name, Document: decodeDocument(sdk.ToString(got.PolicyDocument))})
		}
	}
	return out, nil
}

func groupInlinePolicies(ctx context.Context, api IAMPersistenceReadAPI, group string) ([]InlinePolicy, error) {
	var out []InlinePolicy
	p := iam.NewListGroupPoliciesPaginator(api, &iam.ListGroupPoliciesInput{GroupName: sdk.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListGroupPolicies %s: %w", group, err)
		}
		for _, name := range page.PolicyNames {
			got, err := api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: sdk.String(group), PolicyName: sdk.String(name)})
			if err != nil {
				return nil, fmt.Errorf("iam GetGroupPolicy %s %s: %w", group, name, err)
			}
			out = append(out, InlinePolicy{OwnerKind: "group", Owner: group, Name: name, Document: decodeDocument(sdk.ToString(got.PolicyDocument))})
		}
	}
	return out, nil
}

// ConsolePassword is the state of a user's console password (login profile).
type ConsolePassword struct {
	Exists        bool      `json:"exists"`
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"reset_required"`
}

// ReadConsolePassword reads user's login profile; a user without one (or gone) has Exists false.
func ReadConsolePassword(ctx context.Context, api IAMPersistenceReadAPI, user string) (ConsolePassword, error) {
	out, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: sdk.String(user)})
	if IsNoSuchEntity(err) {
		return ConsolePassword{}, nil
	}
	if err != nil {
		return ConsolePassword{}, fmt.Errorf("iam GetLoginProfile %s: %w", user, err)
	}
	return ConsolePassword{Exists: true, Created: sdk.ToTime(out.LoginProfile.CreateDate).UTC(), ResetRequired: out.LoginProfile.PasswordResetRequired}, nil
}
