package steps

import (
	"context"
	"fmt"
)

// keyElsewhere says, when STS names another account as a key's owner, that the key is not this
// account's and which account it is (its name and whether it manages an organization, when
// Organizations can be read): a key is contained in its own account. It returns nil when the key
// is this account's, or when STS cannot tell.
func keyElsewhere(ctx context.Context, env *Env, keyID string) error {
	here := env.Account.Guard().Account()
	owner, err := env.Account.KeyAccount(ctx, keyID)
	if err != nil || owner == "" || here == "" || owner == here {
		return nil
	}
	if name, ok := env.Organization[owner]; ok {
		return &keyOfMember{KeyID: keyID, Account: owner, Name: name, Here: here}
	}
	where := "account " + owner
	if o, err := env.Account.WhoseKey(ctx, keyID); err == nil && o.Organization != nil {
		switch org := o.Organization; {
		case org.Management:
			where = fmt.Sprintf("account %s%s, the management account of organization %s — %s", owner, named(org.Name), org.ID, o.Reach())
		case org.Member:
			where = fmt.Sprintf("account %s%s of organization %s", owner, named(org.Name), org.ID)
		}
	}
	return fmt.Errorf("%s is not a key of this account (%s): it belongs to %s. Contain it in that account: with its credentials, or from the management account with --org", keyID, here, where)
}

func named(name string) string {
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}

// leakedKeyElsewhere is the verification of a leaked key that is not this account's: its status
// cannot be read from here, so it is unknown, naming the account that can read it.
func leakedKeyElsewhere(ctx context.Context, env *Env, keyID string) (VerifyCheck, bool) {
	here := env.Account.Guard().Account()
	owner, err := env.Account.KeyAccount(ctx, keyID)
	if err != nil || owner == "" || here == "" || owner == here {
		return VerifyCheck{}, false
	}
	if _, ok := env.Organization[owner]; ok {
		// The organization's verification checks the key in its own account, which it sweeps too.
		return VerifyCheck{Check: "leaked key", Item: keyID, Result: VerifyPass,
			Evidence: fmt.Sprintf("a key of account %s of the organization, not of this account: its own account's verification checks it", owner)}, true
	}
	return VerifyCheck{Check: "leaked key", Item: keyID, HandledBy: byContain, Result: VerifyUnknown,
		Evidence: fmt.Sprintf("a key of account %s, not of this account %s: its status is read there", owner, here)}, true
}

// keyOfMember is a leaked key of another account of the organization being swept: nothing to
// contain here; its own account's containment does it.
type keyOfMember struct {
	KeyID, Account, Name, Here string
}

func (k *keyOfMember) Error() string {
	return fmt.Sprintf("%s is a key of account %s%s, not of this account %s: it is contained in its own account", k.KeyID, k.Account, named(k.Name), k.Here)
}

// inspection is the containment step's finding in an account that does not own the key.
func (k *keyOfMember) inspection() *Inspection {
	return &Inspection{Summary: k.Error(), Data: k, Facts: []Fact{
		{Label: "Access key", Value: k.KeyID},
		{Label: "Its account", Value: k.Account + named(k.Name)},
		{Label: "Here", Value: "nothing to contain: the organization's sweep contains it in account " + k.Account},
	}}
}
