package aws

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// UpdateRoleTrust sends UpdateAssumeRolePolicy when the role still has the reviewed policy, then
// reads the role back: the change is done only when GetRole returns the new policy.
func (c *liveChanges) UpdateRoleTrust(ctx context.Context, role, before, after string) (Effect, error) {
	if eff, err := checkUpdateTrust(ctx, c.a.IAM(), role, before, after); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	if _, err := api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: sdk.String(role), PolicyDocument: sdk.String(after)}); err != nil {
		return "", fmt.Errorf("iam UpdateAssumeRolePolicy %s: %w", role, err)
	}
	current, found, err := RoleTrust(ctx, c.a.IAM(), role)
	switch {
	case err != nil:
		return "", fmt.Errorf("updated the trust policy of %s, but could not read it back: %w", role, err)
	case !found || !SameTrust(current, after):
		return "", fmt.Errorf("updated the trust policy of %s, but GetRole does not show the new policy yet: run apply again to read it back", role)
	}
	return Changed, nil
}

// RemoveRolePart removes one policy or instance profile; one gone since it was listed is AlreadyDone.
func (c *liveChanges) RemoveRolePart(ctx context.Context, role string, part RolePart) (Effect, error) {
	api, err := c.send()
	if err != nil {
		return "", err
	}
	r, id := sdk.String(role), sdk.String(part.ID)
	switch part.Kind {
	case RolePartAttachedPolicy:
		_, err = api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: r, PolicyArn: id})
	case RolePartInlinePolicy:
		_, err = api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: r, PolicyName: id})
	case RolePartInstanceProfile:
		_, err = api.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: r, InstanceProfileName: id})
	default:
		err = fmt.Errorf("unknown kind of role part %q", part.Kind)
	}
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("removing %s of role %s: %w", part, role, err)
	}
	return Changed, nil
}

// DeleteRole deletes the role, then reads it back: done only when GetRole says NoSuchEntity.
func (c *liveChanges) DeleteRole(ctx context.Context, role string) (Effect, error) {
	if eff, err := checkDeleteRole(ctx, c.a.IAM(), role); eff != WouldChange {
		return eff, err
	}
	api, err := c.send()
	if err != nil {
		return "", err
	}
	_, err = api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: sdk.String(role)})
	if IsNoSuchEntity(err) {
		return AlreadyDone, nil
	}
	if err != nil {
		return "", fmt.Errorf("iam DeleteRole %s: %w", role, err)
	}
	if _, found, err := RoleTrust(ctx, c.a.IAM(), role); err != nil || found {
		return "", fmt.Errorf("deleted role %s, but GetRole does not say it is gone yet (%v): run apply again to read it back", role, err)
	}
	return Changed, nil
}
