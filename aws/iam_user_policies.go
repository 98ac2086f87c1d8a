package aws

import (
	"context"
	"fmt"
	"net/url"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ownPolicies returns the user's attached and inline policies (inline ones with their documents,
// so callers can judge them).
func ownPolicies(ctx context.Context, api InventoryAPI, user string) ([]Policy, error) {
	out, err := AttachedUserPolicies(ctx, api, user)
	if err != nil {
		return nil, err
	}
	names, err := InlineUserPolicies(ctx, api, user)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		doc, err := api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: sdk.String(user), PolicyName: sdk.String(name)})
		if err != nil {
			return nil, fmt.Errorf("iam GetUserPolicy %s %s: %w", user, name, err)
		}
		out = append(out, Policy{Name: name, Inline: true, Document: decodeDocument(sdk.ToString(doc.PolicyDocument))})
	}
	return out, nil
}

// policiesOfGroups returns the policies a user has through its groups, in the groups' order.
func policiesOfGroups(ctx context.Context, api InventoryAPI, groups []string) ([]Policy, error) {
	var out []Policy
	for _, g := range groups {
		groupPolicies, err := groupPolicies(ctx, api, g)
		if err != nil {
			return nil, err
		}
		out = append(out, groupPolicies...)
	}
	return out, nil
}

// groupPolicies returns the policies a user has through group g: attached ones, and inline ones
// with their documents — an attacker's "Allow *" hides as easily in a group as on the user.
func groupPolicies(ctx context.Context, api InventoryAPI, g string) ([]Policy, error) {
	var out []Policy
	p := iam.NewListAttachedGroupPoliciesPaginator(api, &iam.ListAttachedGroupPoliciesInput{GroupName: sdk.String(g)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAttachedGroupPolicies %s: %w", g, err)
		}
		for _, a := range page.AttachedPolicies {
			out = append(out, Policy{Name: sdk.ToString(a.PolicyName), ARN: sdk.ToString(a.PolicyArn), Via: g})
		}
	}
	inline := iam.NewListGroupPoliciesPaginator(api, &iam.ListGroupPoliciesInput{GroupName: sdk.String(g)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListGroupPolicies %s: %w", g, err)
		}
		for _, name := range page.PolicyNames {
			doc, err := api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: sdk.String(g), PolicyName: sdk.String(name)})
			if err != nil {
				return nil, fmt.Errorf("iam GetGroupPolicy %s %s: %w", g, name, err)
			}
			out = append(out, Policy{Name: name, Inline: true, Via: g, Document: decodeDocument(sdk.ToString(doc.PolicyDocument))})
		}
	}
	return out, nil
}

// InlineUserPolicies lists the names of user's inline policies.
func InlineUserPolicies(ctx context.Context, api iam.ListUserPoliciesAPIClient, user string) ([]string, error) {
	var out []string
	p := iam.NewListUserPoliciesPaginator(api, &iam.ListUserPoliciesInput{UserName: sdk.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListUserPolicies %s: %w", user, err)
		}
		out = append(out, page.PolicyNames...)
	}
	return out, nil
}

// decodeDocument undoes the URL encoding IAM applies to policy documents in responses.
func decodeDocument(doc string) string {
	if dec, err := url.QueryUnescape(doc); err == nil {
		return dec
	}
	return doc
}
