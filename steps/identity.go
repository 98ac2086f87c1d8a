package steps

import (
	"context"
	"errors"
	"fmt"

	"lockdown/aws"
)

// ConfirmIdentity is the action identity.confirm: who are we, in which account? Every later change
// is checked against the account it confirms.
type ConfirmIdentity struct{}

// Spec describes identity.confirm.
func (ConfirmIdentity) Spec() Spec {
	return Spec{
		Name:     "identity.confirm",
		Summary:  "Confirm the account id, alias and the principal lockdown acts as",
		ReadOnly: true,
	}
}

// Inspect calls STS GetCallerIdentity and IAM ListAccountAliases.
func (ConfirmIdentity) Inspect(ctx context.Context, env *Env, report func(Progress)) (*Inspection, error) {
	id, err := env.Account.WhoAmI(ctx)
	if err != nil {
		return nil, err
	}
	alias, summary := id.Alias, fmt.Sprintf("Acting as %s in account %s (%s)", id.ARN, id.Account, id.Alias)
	if alias == "" {
		alias, summary = "(none)", fmt.Sprintf("Acting as %s in account %s, which has no alias", id.ARN, id.Account)
	}
	insp := &Inspection{
		Summary: summary,
		Facts: []Fact{
			{Label: "Account", Value: id.Account, Tone: ToneOK},
			{Label: "Alias", Value: alias},
			{Label: "Principal", Value: id.ARN},
			{Label: "Mode", Value: string(env.Mode())},
		},
		Data: id,
	}
	if id.AccessKeyID != "" {
		insp.Facts = append(insp.Facts, Fact{Label: "Signing key", Value: id.AccessKeyID})
	}
	var wrong *aws.WrongAccountError
	if err := env.Account.Guard().Mismatch(); errors.As(err, &wrong) {
		insp.Facts[0].Tone = ToneFailed
		insp.Warnings = append(insp.Warnings, fmt.Sprintf(
			"WRONG ACCOUNT: these credentials are for account %s, but --account says the compromised account is %s. Every live change will be refused.",
			wrong.Actual, wrong.Expected))
	}
	return insp, nil
}

// Plan has nothing to plan: confirming the identity changes nothing.
func (ConfirmIdentity) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return nil, errors.New("identity.confirm is read-only: there is nothing to plan")
}

// Apply has nothing to apply.
func (ConfirmIdentity) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return nil, errors.New("identity.confirm is read-only: there is nothing to apply")
}
