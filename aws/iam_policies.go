package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// PolicyReadAPI is what reading the policies on users needs from IAM.
type PolicyReadAPI interface {
	GetUserPolicy(ctx context.Context, in *iam.GetUserPolicyInput, optFns ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	iam.ListAttachedUserPoliciesAPIClient
}

// RevokeSessionsPolicy is the name the IAM console gives its "revoke active sessions" policy;
// lockdown uses the same name so the console and lockdown recognise each other's revocations.
const RevokeSessionsPolicy = "AWSRevokeOlderSessions"

// QuarantinePolicyARN is the policy AWS attaches to a user whose key it finds exposed.
const QuarantinePolicyARN = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"

// RevokeSessionsDocument denies everything to temporary credentials issued before cutoff. Long-term
// keys carry no token issue time, so the policy cuts sessions without touching the keys themselves.
// The cutoff is rounded up to a whole second, as the policy language has no fractions: rounding
// down would spare a token minted in the same second.
func RevokeSessionsDocument(cutoff time.Time) string {
	if t := cutoff.Truncate(time.Second); !t.Equal(cutoff) {
		cutoff = t.Add(time.Second)
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"%s"}}}]}`,
		cutoff.UTC().Format(time.RFC3339))
}

// RevocationCutoff reads the token issue time a revoke-sessions document denies before; ok is
// false when the document is not such a revocation.
func RevocationCutoff(doc string) (time.Time, bool) {
	doc = decodeDocument(doc)
	var parsed struct {
		Statement []struct {
			Effect    string
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(doc), &parsed) != nil {
		return time.Time{}, false
	}
	for _, st := range parsed.Statement {
		v, ok := st.Condition["DateLessThan"]["aws:TokenIssueTime"].(string)
		if st.Effect != "Deny" || !ok {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// UserRevocation returns the cutoff of the user's revoke-sessions policy, if it has one.
func UserRevocation(ctx context.Context, api PolicyReadAPI, user string) (time.Time, bool, error) {
	out, err := api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: sdk.String(user), PolicyName: sdk.String(RevokeSessionsPolicy)})
	if IsNoSuchEntity(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("iam GetUserPolicy %s: %w", user, err)
	}
	t, ok := RevocationCutoff(sdk.ToString(out.PolicyDocument))
	return t, ok, nil
}

// checkRevokeUser reads the user's revoke-sessions policy: one with a cutoff at or after notBefore
// already covers every token that matters, so it is AlreadyDone.
func checkRevokeUser(ctx context.Context, api PolicyReadAPI, user string, notBefore time.Time) (Effect, error) {
	existing, ok, err := UserRevocation(ctx, api, user)
	if err != nil {
		return "", err
	}
	if ok && !existing.Before(notBefore) {
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

// ManagedPolicyExists reports whether the account can attach the managed policy arn. Older
// partitions and emulators lack the newest AWS-managed policies.
func ManagedPolicyExists(ctx context.Context, api PolicyReadAPI, arn string) (bool, error) {
	_, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: sdk.String(arn)})
	if IsNoSuchEntity(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("iam GetPolicy %s: %w", arn, err)
	}
	return true, nil
}

// AttachedUserPolicies lists the ARNs of the managed policies attached to user.
func AttachedUserPolicies(ctx context.Context, api iam.ListAttachedUserPoliciesAPIClient, user string) ([]Policy, error) {
	var out []Policy
	p := iam.NewListAttachedUserPoliciesPaginator(api, &iam.ListAttachedUserPoliciesInput{UserName: sdk.String(user)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("iam ListAttachedUserPolicies %s: %w", user, err)
		}
		for _, a := range page.AttachedPolicies {
			out = append(out, Policy{Name: sdk.ToString(a.PolicyName), ARN: sdk.ToString(a.PolicyArn)})
		}
	}
	return out, nil
}

// Policy is a managed policy by name and ARN, or an inline policy by name.
type Policy struct {
	Name   string `json:"name"`
	ARN    string `json:"arn,omitempty"`
	Inline bool   `json:"inline,omitempty"`
	// Via names the group the policy comes through, if not the user itself.
	Via string `json:"via,omitempty"`
	// Document is an inline policy's JSON, for judging what it allows.
	Document string `json:"-"`
}

// checkAttach reads the user's managed policies: arn already attached is AlreadyDone.
func checkAttach(ctx context.Context, api PolicyReadAPI, user, arn string) (Effect, error) {
	attached, err := AttachedUserPolicies(ctx, api, user)
	if err != nil {
		return "", err
	}
	for _, p := range attached {
		if p.ARN == arn {
			return AlreadyDone, nil
		}
	}
	return WouldChange, nil
}
