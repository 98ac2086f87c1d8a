package runbooks

import (
	"context"

	"lockdown/aws"
	"lockdown/steps"
)

// The IAM persistence hunt's own changes, journaled like every other; each reads the account
// first, so running one again after a crash is safe.

func (j *journaledChanges) DeletePolicyVersion(ctx context.Context, policyARN, version, previous string) (aws.Effect, error) {
	c := steps.Change{ID: steps.PolicyVersionChangeID(policyARN, version), Op: "iam:SetDefaultPolicyVersion+DeletePolicyVersion", Target: policyARN,
		Summary: "make " + previous + " the default of " + policyARN + " and delete " + version}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeletePolicyVersion(ctx, policyARN, version, previous) })
}

func (j *journaledChanges) DeleteIdentityProvider(ctx context.Context, arn string) (aws.Effect, error) {
	op := "iam:DeleteOpenIDConnectProvider"
	if aws.IsSAMLProvider(arn) {
		op = "iam:DeleteSAMLProvider"
	}
	c := steps.Change{ID: steps.ProviderChangeID(arn), Op: op, Target: arn, Summary: "delete the identity provider " + arn}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteIdentityProvider(ctx, arn) })
}

func (j *journaledChanges) DeleteGroupPolicy(ctx context.Context, group, policy string) (aws.Effect, error) {
	c := steps.Change{ID: steps.GroupPolicyChangeID(group, policy), Op: "iam:DeleteGroupPolicy", Target: group,
		Summary: "delete the inline policy " + policy + " of group " + group}
	return j.around(c, func() (aws.Effect, error) { return j.inner.DeleteGroupPolicy(ctx, group, policy) })
}

func (j *journaledChanges) RequirePasswordReset(ctx context.Context, user string) (aws.Effect, error) {
	c := steps.Change{ID: steps.PasswordResetChangeID(user), Op: "iam:UpdateLoginProfile", Target: user,
		Summary: "require " + user + " to choose a new console password at the next sign-in"}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RequirePasswordReset(ctx, user) })
}

func (j *journaledChanges) RevokeGrant(ctx context.Context, g aws.Grant) (aws.Effect, error) {
	c := steps.Change{ID: steps.GrantChangeID(g), Op: g.Operation(), Target: g.Owner, Summary: "remove the " + g.String()}
	return j.around(c, func() (aws.Effect, error) { return j.inner.RevokeGrant(ctx, g) })
}
