package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAMPersistenceChanges undo what an attacker leaves in IAM besides users, keys and roles. Each
// reads the current state first, so one already made is AlreadyDone, and the live ones read the
// result back: done only when IAM shows it.
type IAMPersistenceChanges interface {
	// DeletePolicyVersion deletes version of a customer-managed policy; when version is the
	// default, previous is made the default first.
	DeletePolicyVersion(ctx context.Context, policyARN, version, previous string) (Effect, error)
	// DeleteIdentityProvider deletes an OIDC or SAML provider, by ARN.
	DeleteIdentityProvider(ctx context.Context, arn string) (Effect, error)
	// DeleteGroupPolicy deletes one inline policy of a group.
	DeleteGroupPolicy(ctx context.Context, group, policy string) (Effect, error)
	// RequirePasswordReset makes user choose a new console password at the next sign-in.
	RequirePasswordReset(ctx context.Context, user string) (Effect, error)
	// RevokeGrant detaches a managed policy, deletes an inline policy or removes a group
	// membership of an existing user, group or role.
	RevokeGrant(ctx context.Context, g Grant) (Effect, error)
}

// checkDeletePolicyVersion: a version gone is AlreadyDone; the default version is deleted only
// when the version to make default instead still exists.
func checkDeletePolicyVersion(ctx context.Context, api IAMPersistenceReadAPI, arn, version, previous string) (Effect, error) {
	vs, err := ListPolicyVersions(ctx, api, arn)
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", err
	}
	var target, prev *PolicyVersion
	for i := range vs {
		switch vs[i].ID {
		case version:
			target = &vs[i]
		case previous:
			prev = &vs[i]
		}
	}
	switch {
	case target == nil:
		return AlreadyDone, nil
	case target.Default && prev == nil:
		return "", fmt.Errorf("%s: version %s is the default and the version to restore, %q, no longer exists: set a default by hand", arn, version, previous)
	}
	return WouldChange, nil
}

func checkDeleteProvider(ctx context.Context, api IAMPersistenceReadAPI, arn string) (Effect, error) {
	exists, err := identityProviderExists(ctx, api, arn)
	switch {
	case err != nil:
		return "", err
	case !exists:
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func checkDeleteGroupPolicy(ctx context.Context, api IAMPersistenceReadAPI, group, policy string) (Effect, error) {
	_, err := api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: sdk.String(group), PolicyName: sdk.String(policy)})
	switch {
	case IsNoSuchEntity(err):
		return AlreadyDone, nil
	case err != nil:
		return "", fmt.Errorf("iam GetGroupPolicy %s %s: %w", group, policy, err)
	}
	return WouldChange, nil
}

// checkPasswordReset: a reset already required, or no console password left, is AlreadyDone.
func checkPasswordReset(ctx context.Context, api IAMPersistenceReadAPI, user string) (Effect, error) {
	p, err := ReadConsolePassword(ctx, api, user)
	switch {
	case err != nil:
		return "", err
	case !p.Exists || p.ResetRequired:
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func (c *liveChanges) DeletePolicyVersion(ctx context.Context, arn, version, previous string) (Effect, error) {
	if eff, err := checkDeletePolicyVersion(ctx, c.a.IAM(), arn, version, previous); eff != WouldChange {
		return eff, err
	}
	vs, err := ListPolicyVersions(ctx, c.a.IAM(), arn)
	if err != nil {
		return "", err
	}
	for _, v := range vs {
		if v.ID != version || !v.Default {
			continue
		}
		api, err := c.send()
		if err != nil {
			return "", err
		}
		if _, err := api.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: sdk.String(arn), VersionId: sdk.String(previous)}); err != nil {
			return "", fmt.Errorf("iam SetDefaultPolicyVersion %s %s: %w", arn, previous, err)
		}
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: sdk.String(arn), VersionId: sdk.String(version)})
	if err != nil && !IsNoSuchEntity(err) {
		return "", fmt.Errorf("iam DeletePolicyVersion %s %s: %w", arn, version, err)
	}
	after, err := ListPolicyVersions(ctx, c.a.IAM(), arn)
	if err != nil {
		return "", fmt.Errorf("deleted version %s of %s, but could not read the versions back: %w", version, arn, err)
	}
	for _, v := range after {
		if v.ID == version {
			return "", fmt.Errorf("deleted version %s of %s, but ListPolicyVersions still lists it: run apply again to read it back", version, arn)
		}
	}
	return Changed, nil
}

func (c *liveChanges) DeleteIdentityProvider(ctx context.Context, arn string) (Effect, error) {
	if eff, err := checkDeleteProvider(ctx, c.a.IAM(), arn); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	if IsSAMLProvider(arn) {
		_, err = api.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: sdk.String(arn)})
	} else {
		_, err = api.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: sdk.String(arn)})
	}
	if err != nil && !IsNoSuchEntity(err) {
		return "", fmt.Errorf("iam delete identity provider %s: %w", arn, err)
	}
	if exists, err := identityProviderExists(ctx, c.a.IAM(), arn); err != nil || exists {
		return "", fmt.Errorf("deleted the identity provider %s, but IAM does not say it is gone yet (%v): run apply again to read it back", arn, err)
	}
	return Changed, nil
}

func (c *liveChanges) DeleteGroupPolicy(ctx context.Context, group, policy string) (Effect, error) {
	if eff, err := checkDeleteGroupPolicy(ctx, c.a.IAM(), group, policy); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: sdk.String(group), PolicyName: sdk.String(policy)})
	if err != nil && !IsNoSuchEntity(err) {
		return "", fmt.Errorf("iam DeleteGroupPolicy %s %s: %w", group, policy, err)
	}
	if eff, err := checkDeleteGroupPolicy(ctx, c.a.IAM(), group, policy); eff != AlreadyDone {
		return "", fmt.Errorf("deleted the inline policy %s of group %s, but GetGroupPolicy still finds it (%v): run apply again to read it back", policy, group, err)
	}
	return Changed, nil
}

func (c *liveChanges) RequirePasswordReset(ctx context.Context, user string) (Effect, error) {
	if eff, err := checkPasswordReset(ctx, c.a.IAM(), user); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: sdk.String(user), PasswordResetRequired: sdk.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("iam UpdateLoginProfile %s PasswordResetRequired: %w", user, err)
	}
	p, err := ReadConsolePassword(ctx, c.a.IAM(), user)
	if err != nil || !p.Exists || !p.ResetRequired {
		return "", fmt.Errorf("required a password reset of %s, but GetLoginProfile does not show it yet (%v): run apply again to read it back", user, err)
	}
	return Changed, nil
}

func (d *dryRunChanges) DeletePolicyVersion(ctx context.Context, arn, version, previous string) (Effect, error) {
	eff, err := checkDeletePolicyVersion(ctx, d.a.IAM(), arn, version, previous)
	return d.prove(ctx, eff, err, on("iam:SetDefaultPolicyVersion", fixed(arn)), on("iam:DeletePolicyVersion", fixed(arn)))
}

func (d *dryRunChanges) DeleteIdentityProvider(ctx context.Context, arn string) (Effect, error) {
	eff, err := checkDeleteProvider(ctx, d.a.IAM(), arn)
	action := "iam:DeleteOpenIDConnectProvider"
	if IsSAMLProvider(arn) {
		action = "iam:DeleteSAMLProvider"
	}
	return d.prove(ctx, eff, err, on(action, fixed(arn)))
}

func (d *dryRunChanges) DeleteGroupPolicy(ctx context.Context, group, policy string) (Effect, error) {
	eff, err := checkDeleteGroupPolicy(ctx, d.a.IAM(), group, policy)
	return d.prove(ctx, eff, err, on("iam:DeleteGroupPolicy", func(ctx context.Context) (string, error) { return d.constructedARN(ctx, "group/"+group) }))
}

func (d *dryRunChanges) RequirePasswordReset(ctx context.Context, user string) (Effect, error) {
	eff, err := checkPasswordReset(ctx, d.a.IAM(), user)
	return d.prove(ctx, eff, err, on("iam:UpdateLoginProfile", d.userARN(user)))
}

func (r refusal) DeletePolicyVersion(context.Context, string, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) DeleteIdentityProvider(context.Context, string) (Effect, error) { return "", r.err }
func (r refusal) DeleteGroupPolicy(context.Context, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) RequirePasswordReset(context.Context, string) (Effect, error) { return "", r.err }
