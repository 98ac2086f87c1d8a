package aws

import (
	"context"
	"fmt"
	"slices"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// A grant is what gives an existing principal more power without creating anything: a managed
// policy attached to a user, group or role, an inline policy put on one, a user added to a group.
// IAM keeps no date for any of them, so only CloudTrail tells when one was made; reading whether
// it still stands needs no history.

// GrantKind names a kind of grant, as the plan and the verification name it.
type GrantKind string

const (
	GrantAttachedPolicy GrantKind = "managed policy"
	GrantInlinePolicy   GrantKind = "inline policy"
	GrantGroup          GrantKind = "group membership"
)

// Grant is one grant: ID is the policy ARN, the inline policy's name, or the group's name.
type Grant struct {
	// OwnerKind is "user", "group" or "role".
	OwnerKind string    `json:"owner_kind"`
	Owner     string    `json:"owner"`
	Kind      GrantKind `json:"kind"`
	ID        string    `json:"id"`
}

func (g Grant) String() string {
	switch g.Kind {
	case GrantGroup:
		return "membership of user " + g.Owner + " in group " + g.ID
	case GrantAttachedPolicy:
		return "managed policy " + g.ID + " on " + g.OwnerKind + " " + g.Owner
	}
	return "inline policy " + g.ID + " of " + g.OwnerKind + " " + g.Owner
}

// grantCalls are, per owner kind and grant kind, the call that undoes a grant and the call that
// lists the owner's grants of that kind.
var grantCalls = map[string]struct{ undo, list string }{
	"user/" + string(GrantGroup):           {"RemoveUserFromGroup", "ListGroupsForUser"},
	"user/" + string(GrantAttachedPolicy):  {"DetachUserPolicy", "ListAttachedUserPolicies"},
	"group/" + string(GrantAttachedPolicy): {"DetachGroupPolicy", "ListAttachedGroupPolicies"},
	"role/" + string(GrantAttachedPolicy):  {"DetachRolePolicy", "ListAttachedRolePolicies"},
	"user/" + string(GrantInlinePolicy):    {"DeleteUserPolicy", "ListUserPolicies"},
	"group/" + string(GrantInlinePolicy):   {"DeleteGroupPolicy", "ListGroupPolicies"},
	"role/" + string(GrantInlinePolicy):    {"DeleteRolePolicy", "ListRolePolicies"},
}

// Operation is the IAM call that undoes the grant.
func (g Grant) Operation() string { return "iam:" + grantCalls[g.OwnerKind+"/"+string(g.Kind)].undo }

// GrantReadAPI is what reading a grant needs.
type GrantReadAPI interface {
	iam.ListAttachedUserPoliciesAPIClient
	iam.ListAttachedGroupPoliciesAPIClient
	iam.ListAttachedRolePoliciesAPIClient
	iam.ListUserPoliciesAPIClient
	iam.ListGroupPoliciesAPIClient
	iam.ListRolePoliciesAPIClient
	iam.ListGroupsForUserAPIClient
}

// GrantState is what a fresh read says of a grant.
type GrantState struct {
	// Stands is true while the grant is in effect.
	Stands bool
	// OwnerGone is true when the user, group or role itself no longer exists.
	OwnerGone bool
	// Read names the call that told, for the evidence.
	Read string
}

// ReadGrant reads whether a grant stands now, paging through the owner's list.
func ReadGrant(ctx context.Context, api GrantReadAPI, g Grant) (GrantState, error) {
	st := GrantState{Read: grantRead(g)}
	ids, err := grantList(ctx, api, g)
	switch {
	case IsNoSuchEntity(err):
		st.OwnerGone = true
		return st, nil
	case err != nil:
		return st, fmt.Errorf("iam %s %s: %w", st.Read, g.Owner, err)
	}
	st.Stands = slices.Contains(ids, g.ID)
	return st, nil
}

func grantRead(g Grant) string { return grantCalls[g.OwnerKind+"/"+string(g.Kind)].list }

// iamPager is any of the SDK's IAM paginators.
type iamPager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*iam.Options)) (O, error)
}

// collect pages through a listing, keeping the ids each page names.
func collect[O any](ctx context.Context, p iamPager[O], ids func(O) []string) ([]string, error) {
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, ids(page)...)
	}
	return out, nil
}

// grantList lists the ids of the owner's grants of the grant's kind.
func grantList(ctx context.Context, api GrantReadAPI, g Grant) ([]string, error) {
	name := sdk.String(g.Owner)
	arns := func(list []types.AttachedPolicy) []string {
		var out []string
		for _, a := range list {
			out = append(out, sdk.ToString(a.PolicyArn))
		}
		return out
	}
	switch grantRead(g) {
	case "ListGroupsForUser":
		return GroupsForUser(ctx, api, g.Owner)
	case "ListAttachedUserPolicies":
		return collect(ctx, iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: name}),
			func(o *iam.ListAttachedUserPoliciesOutput) []string { return arns(o.AttachedPolicies) })
	case "ListAttachedGroupPolicies":
		return collect(ctx, iam.NewListAttachedGroupPoliciesPaginator(api, &iam.ListAttachedGroupPoliciesInput{GroupName: name}),
			func(o *iam.ListAttachedGroupPoliciesOutput) []string { return arns(o.AttachedPolicies) })
	case "ListAttachedRolePolicies":
		return collect(ctx, iam.NewListAttachedRolePoliciesPaginator(api, &iam.ListAttachedRolePoliciesInput{RoleName: name}),
			func(o *iam.ListAttachedRolePoliciesOutput) []string { return arns(o.AttachedPolicies) })
	case "ListUserPolicies":
		return collect(ctx, iam.NewListUserPoliciesPaginator(api, &iam.ListUserPoliciesInput{UserName: name}),
			func(o *iam.ListUserPoliciesOutput) []string { return o.PolicyNames })
	case "ListGroupPolicies":
		return collect(ctx, iam.NewListGroupPoliciesPaginator(api, &iam.ListGroupPoliciesInput{GroupName: name}),
			func(o *iam.ListGroupPoliciesOutput) []string { return o.PolicyNames })
	case "ListRolePolicies":
		return collect(ctx, iam.NewListRolePoliciesPaginator(api, &iam.ListRolePoliciesInput{RoleName: name}),
			func(o *iam.ListRolePoliciesOutput) []string { return o.PolicyNames })
	}
	return nil, fmt.Errorf("no way to read a %s of a %s", g.Kind, g.OwnerKind)
}

// RevokeGrant undoes a grant: done only when a fresh read no longer finds it; one gone already,
// or whose owner is gone, is AlreadyDone.
func (c *liveChanges) RevokeGrant(ctx context.Context, g Grant) (Effect, error) {
	if st, err := ReadGrant(ctx, c.a.IAM(), g); err != nil || !st.Stands {
		return AlreadyDone, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	err = c.revokeGrant(ctx, api, g)
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", g.Operation(), g, err)
	}
	st, err := ReadGrant(ctx, c.a.IAM(), g)
	switch {
	case err != nil:
		return "", fmt.Errorf("removed the %s, but could not read it back: %w", g, err)
	case st.Stands:
		return "", fmt.Errorf("removed the %s, but %s still lists it: run apply again to read it back", g, st.Read)
	}
	return Changed, nil
}

func (c *liveChanges) revokeGrant(ctx context.Context, api *iam.Client, g Grant) error {
	owner, id := sdk.String(g.Owner), sdk.String(g.ID)
	var err error
	switch g.Operation() {
	case "iam:RemoveUserFromGroup":
		_, err = api.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: owner, GroupName: id})
	case "iam:DetachUserPolicy":
		_, err = api.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: owner, PolicyArn: id})
	case "iam:DetachGroupPolicy":
		_, err = api.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: owner, PolicyArn: id})
	case "iam:DetachRolePolicy":
		_, err = api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: owner, PolicyArn: id})
	case "iam:DeleteUserPolicy":
		_, err = api.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: owner, PolicyName: id})
	case "iam:DeleteGroupPolicy":
		_, err = api.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: owner, PolicyName: id})
	default:
		_, err = api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: owner, PolicyName: id})
	}
	return err
}

// RevokeGrant reads the grant; one that stands would be removed if iam:SimulatePrincipalPolicy
// says the responder may.
func (d *dryRunChanges) RevokeGrant(ctx context.Context, g Grant) (Effect, error) {
	st, err := ReadGrant(ctx, d.a.IAM(), g)
	eff := WouldChange
	if err != nil || !st.Stands {
		eff = AlreadyDone
	}
	owner := d.userARN(g.Owner)
	switch g.OwnerKind {
	case "group":
		owner = func(ctx context.Context) (string, error) { return d.constructedARN(ctx, "group/"+g.Owner) }
	case "role":
		owner = d.roleARN(g.Owner)
	}
	return d.prove(ctx, eff, err, on(g.Operation(), owner))
}

func (r refusal) RevokeGrant(context.Context, Grant) (Effect, error) { return "", r.err }
