package steps

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
)

// The ledger's reads for IAM: whether a grant the attacker made still stands, whether a role or
// policy they made still exists, and whether the user or role a change was made on is still there.

// recheckGrant reads whether the managed policy, inline policy or group membership an event gave
// is still in effect.
func recheckGrant(ctx context.Context, env *Env, _ AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	g, _, ok := grantOf(e)
	if !ok {
		return VerifyNotChecked, "its request does not name what it gave"
	}
	st, err := aws.ReadGrant(ctx, env.Account.IAM(), g)
	switch {
	case err != nil:
		return VerifyUnknown, "could not be read: " + aws.ErrorMessage(err)
	case st.Stands:
		return VerifyFail, "still in effect: " + st.Read + " of " + g.OwnerKind + " " + g.Owner + " lists " + g.ID
	}
	return VerifyPass, undoneGrant(g, st)
}

// recheckRole: a role the attacker created passes once it is gone.
func recheckRole(ctx context.Context, env *Env, c AttackerChange, _ aws.TrailEvent) (VerifyResult, string) {
	_, found, err := aws.RoleTrust(ctx, env.Account.IAM(), c.Resource.ID)
	switch {
	case err != nil:
		return VerifyUnknown, "could not be read: " + aws.ErrorMessage(err)
	case found:
		return VerifyFail, "role " + c.Resource.ID + " still exists (GetRole)"
	}
	return VerifyPass, "role " + c.Resource.ID + " no longer exists (GetRole: NoSuchEntity)"
}

// recheckPolicy: a customer-managed policy the attacker created passes once it is gone.
func recheckPolicy(ctx context.Context, env *Env, _ AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	arn := e.ResponseField("policy", "arn")
	if arn == "" {
		return VerifyNotChecked, "its response does not name the policy"
	}
	exists, err := aws.ManagedPolicyExists(ctx, env.Account.IAM(), arn)
	switch {
	case err != nil:
		return VerifyUnknown, "could not be read: " + aws.ErrorMessage(err)
	case exists:
		return VerifyFail, "policy " + arn + " still exists (GetPolicy)"
	}
	return VerifyPass, "policy " + arn + " no longer exists (GetPolicy: NoSuchEntity)"
}

// resourceGone says whether the user or role a change was made on no longer exists: whatever was
// done to it went with it (often because lockdown deleted it).
func resourceGone(ctx context.Context, env *Env, t aws.Touched) (bool, string) {
	api := env.Account.IAM()
	switch t.Kind {
	case "user":
		_, err := api.GetUser(ctx, &iam.GetUserInput{UserName: sdk.String(t.ID)})
		if aws.IsNoSuchEntity(err) {
			return true, "user " + t.ID + " no longer exists (GetUser: NoSuchEntity): what was done to it went with it"
		}
	case "role":
		_, found, err := aws.RoleTrust(ctx, api, t.ID)
		if err == nil && !found {
			return true, "role " + t.ID + " no longer exists (GetRole: NoSuchEntity): what was done to it went with it"
		}
	}
	return false, ""
}
