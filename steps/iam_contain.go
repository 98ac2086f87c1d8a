package steps

import (
	"context"
	"fmt"
	"strings"

	"lockdown/aws"
)

// ContainKey is the action iam.contain-key: stop a leaked access key from working, without
// destroying the evidence investigators need.
type ContainKey struct{}

// selfOverride is what the operator types to contain the very credentials lockdown acts with.
const selfOverride = "lock me out"

// Spec describes iam.contain-key.
func (ContainKey) Spec() Spec {
	return Spec{
		Name:    "iam.contain-key",
		Summary: "Deactivate a leaked access key, revoke sessions minted from it, quarantine its user",
		Params: []Param{
			{Name: "access_key_id", Type: TypeString, Doc: "the leaked key id, pre-filled in the input"},
			{Name: "quarantine", Type: TypeBool, Doc: "attach AWSCompromisedKeyQuarantineV3 to the owner (default true)"},
		},
		Inputs: []Input{{Name: "access_key_id", Prompt: "Leaked access key id", Placeholder: "AKIA…", Validate: ValidateAccessKeyID}},
	}
}

// containFinding is what Inspect learnt, read back by Plan.
type containFinding struct {
	KeyID, User, Status string
	LastUsed            aws.KeyUse
	Self                bool
	QuarantineWanted    bool
	QuarantineExists    bool
}

// Inspect finds the key's owner and last use, and whether it is the responder's own.
func (ContainKey) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	keyID := strings.ToUpper(env.input("access_key_id"))
	if err := ValidateAccessKeyID(keyID); err != nil {
		return nil, err
	}
	me, err := responder(ctx, env)
	if err != nil {
		return nil, err
	}
	if aws.IsTemporaryKey(keyID) {
		if err := keyElsewhere(ctx, env, keyID); err != nil {
			return inMember(err)
		}
		return inspectSession(ctx, env, keyID)
	}
	api := env.Account.IAM()
	user, use, err := aws.KeyLastUsed(ctx, api, keyID)
	if err != nil {
		if elsewhere := keyElsewhere(ctx, env, keyID); elsewhere != nil {
			return inMember(elsewhere)
		}
		return nil, ownerLookupError(keyID, err)
	}
	if user == "" || user == "root" || user == "<root_account>" {
		return nil, fmt.Errorf("%s belongs to the root user: policies cannot restrict root; sign in as root and delete the key now (step 9)", keyID)
	}
	status, err := aws.KeyStatus(ctx, api, user, keyID)
	if err != nil {
		return nil, err
	}
	f := &containFinding{KeyID: keyID, User: user, Status: status, LastUsed: use, QuarantineWanted: env.Params.Bool("quarantine", true)}
	f.Self = me.AccessKeyID == keyID || (me.UserName() != "" && me.UserName() == user)
	if f.QuarantineWanted {
		if f.QuarantineExists, err = aws.ManagedPolicyExists(ctx, api, aws.QuarantinePolicyARN); err != nil {
			return nil, err
		}
	}
	return containInspection(f, me), nil
}

// ownerLookupError explains the usual reasons GetAccessKeyLastUsed fails for a pasted id.
func ownerLookupError(keyID string, err error) error {
	switch aws.ErrorCode(err) {
	case "NoSuchEntity", "AccessDenied":
		hint := "it is not a key of this account (check the account id in the AWS notice), or it was already deleted"
		if strings.HasPrefix(keyID, "ASIA") {
			hint = "ASIA keys are temporary credentials: they cannot be deactivated; revoke the sessions of the role or user that issued them"
		}
		return fmt.Errorf("cannot find the owner of %s: %s (%s)", keyID, hint, aws.ErrorMessage(err))
	}
	return err
}

func containInspection(f *containFinding, me aws.Identity) *Inspection {
	insp := &Inspection{
		Summary: fmt.Sprintf("%s belongs to %s and is %s", f.KeyID, f.User, f.Status),
		Facts: []Fact{
			{Label: "Access key", Value: f.KeyID},
			{Label: "Owner", Value: f.User},
			{Label: "Status", Value: f.Status, Tone: statusTone(f.Status)},
			{Label: "Last used", Value: when(f.LastUsed.Date)},
			{Label: "Where", Value: orNA(where(f.LastUsed))},
		},
		Data: f,
	}
	if f.Self {
		insp.Warnings = append(insp.Warnings, fmt.Sprintf(
			"YOU ARE ABOUT TO LOCK YOURSELF OUT: lockdown is signed in as %s (key %s), which is the compromised key or its user %s. Containing it cuts off this session. Switch to another admin identity, or type %q to go ahead anyway.",
			me.ARN, me.AccessKeyID, f.User, selfOverride))
	}
	if f.QuarantineWanted && !f.QuarantineExists {
		insp.Warnings = append(insp.Warnings, "AWSCompromisedKeyQuarantineV3 does not exist in this account: lockdown will deactivate the key and revoke its sessions without it.")
	}
	return insp
}

func statusTone(status string) Tone {
	if status == aws.KeyActive {
		return ToneRogue
	}
	return ToneOK
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// The calls of iam.contain-key, by the operation its plan names.
const (
	opDeactivate = "iam:UpdateAccessKey"
	opRevoke     = "iam:PutUserPolicy"
	opQuarantine = "iam:AttachUserPolicy"
)

// Plan deactivates the key, revokes sessions minted from it, and quarantines the owner.
func (ContainKey) Plan(_ context.Context, env *Env, found *Inspection, _ []string) (*Plan, error) {
	if s, ok := found.Data.(*sessionFinding); ok {
		return planSession(env, s), nil
	}
	if k, ok := found.Data.(*keyOfMember); ok {
		return &Plan{Data: k, Notes: []string{k.Error()}}, nil
	}
	f, ok := found.Data.(*containFinding)
	if !ok {
		return nil, fmt.Errorf("iam.contain-key: inspect first")
	}
	p := &Plan{Data: f, Changes: []Change{
		{ID: KeyDeactivationID(f.KeyID), Op: opDeactivate, Target: f.KeyID,
			Summary: fmt.Sprintf("deactivate %s of %s (Inactive, not deleted: CloudTrail searches need the id)", f.KeyID, f.User)},
		{ID: UserSessionsID(f.User), Op: opRevoke, Target: f.User,
			Summary: fmt.Sprintf("put inline policy %s on %s: deny everything to temporary credentials issued before now", aws.RevokeSessionsPolicy, f.User)},
	}}
	if f.QuarantineWanted && f.QuarantineExists {
		p.Changes = append(p.Changes, Change{ID: UserPolicyID(f.User, aws.QuarantinePolicyARN), Op: opQuarantine, Target: f.User,
			Summary: fmt.Sprintf("attach AWSCompromisedKeyQuarantineV3 to %s", f.User)})
	} else if f.QuarantineWanted {
		p.Notes = append(p.Notes, "AWSCompromisedKeyQuarantineV3 does not exist here: not attaching it; the key is still deactivated and its sessions revoked.")
	}
	if f.Status == aws.KeyInactive {
		p.Notes = append(p.Notes, f.KeyID+" is already Inactive.")
	}
	p.Confirm = Confirm{Prompt: fmt.Sprintf("Contain %s of %s?", f.KeyID, f.User)}
	switch {
	case f.Self:
		p.Warnings = append(p.Warnings, "This is lockdown's own identity: after this, lockdown cannot act with these credentials.")
		p.Confirm = Confirm{Prompt: fmt.Sprintf("Type %q to contain the credentials lockdown itself uses", selfOverride), Typed: selfOverride}
		// Deactivating our own key last lets the other changes still go through.
		p.Changes = append(p.Changes[1:], p.Changes[0])
	case env.Mode().Changes():
		// Four characters read off the dialog prove the operator looked at which key it is; the
		// whole id typed again would prove only patience.
		last4 := f.KeyID[max(0, len(f.KeyID)-4):]
		p.Confirm = Confirm{Prompt: fmt.Sprintf("Type %s, the last four characters of %s, to deactivate it", last4, f.KeyID), Typed: last4}
	}
	return p, nil
}

// Apply makes the planned changes in order, then reads the key back to verify it is Inactive.
func (ContainKey) Apply(ctx context.Context, env *Env, changes aws.Changes, plan *Plan, report func(Progress)) (*Outcome, error) {
	if s, ok := plan.Data.(*sessionFinding); ok {
		return applySession(ctx, env, changes, plan, s), nil
	}
	if _, ok := plan.Data.(*keyOfMember); ok {
		return &Outcome{}, nil
	}
	f, ok := plan.Data.(*containFinding)
	if !ok {
		return nil, fmt.Errorf("iam.contain-key: not a containment plan")
	}
	out := &Outcome{}
	for _, c := range plan.Changes {
		var eff aws.Effect
		var err error
		switch c.Op {
		case opDeactivate:
			eff, err = changes.DeactivateKey(ctx, f.User, f.KeyID)
		case opRevoke:
			eff, err = revokeKeySessions(ctx, env, changes, f)
		case opQuarantine:
			eff, err = changes.AttachUserPolicy(ctx, f.User, aws.QuarantinePolicyARN)
		}
		out.Results = append(out.Results, resultOf(c.ID, eff, err, c.Summary))
		env.Logger().Info("iam.contain-key", "change", c.ID, "key", f.KeyID, "user", f.User, "effect", eff, "error", errText(err))
	}
	out.Facts = append(out.Facts, verifyInactive(ctx, env, f))
	return out, nil
}

// revokeKeySessions cuts temporary credentials issued before now. Tokens can only have been minted
// while the key was in use, so a revocation dated at or after the key's last use already covers
// them all: that makes a second run report already-done.
func revokeKeySessions(ctx context.Context, env *Env, changes aws.Changes, f *containFinding) (aws.Effect, error) {
	_, use, err := aws.KeyLastUsed(ctx, env.Account.IAM(), f.KeyID)
	if err != nil {
		return "", err
	}
	return changes.RevokeUserSessions(ctx, f.User, env.Clock(), use.Date)
}

// verifyInactive reads the key back with ListAccessKeys.
func verifyInactive(ctx context.Context, env *Env, f *containFinding) Fact {
	status, err := aws.KeyStatus(ctx, env.Account.IAM(), f.User, f.KeyID)
	switch {
	case err != nil:
		return Fact{Label: "Verified", Value: "could not read the key back: " + aws.ErrorMessage(err), Tone: ToneWarning}
	case status == aws.KeyInactive:
		return Fact{Label: "Verified", Value: f.KeyID + " reads back Inactive", Tone: ToneOK}
	case !env.Mode().Changes():
		return Fact{Label: "Verified", Value: f.KeyID + " is still Active (dry run: nothing was changed)", Tone: ToneWarning}
	}
	return Fact{Label: "Verified", Value: f.KeyID + " still reads back " + status, Tone: ToneFailed}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
