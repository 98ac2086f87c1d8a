package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"lockdown/aws"
)

// The ledger's re-checks of what an attacker opened: each reads the account as it is now.

// recheckIngress: the rules an AuthorizeSecurityGroupIngress added (by the ids its record names,
// or else by what it asked for) are still in the group.
func recheckIngress(ctx context.Context, env *Env, _ AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	in, ok := e.IngressAdded()
	if !ok {
		return VerifyNotChecked, "the record names no security group: check it by hand"
	}
	var standing []string
	for _, id := range in.RuleIDs {
		r, found, err := env.Account.FindIngressRule(ctx, e.Region, id)
		if err != nil {
			return VerifyUnknown, "cannot read the rule " + id + ": " + aws.ErrorMessage(err)
		}
		if found {
			standing = append(standing, id+" ("+r.Ports()+" from "+r.Source()+")")
		}
	}
	if len(in.RuleIDs) == 0 && len(in.Rules) > 0 {
		rules, err := env.Account.GroupIngressRules(ctx, e.Region, in.GroupID)
		if err != nil {
			return VerifyUnknown, "cannot read the rules of " + in.GroupID + ": " + aws.ErrorMessage(err)
		}
		for _, asked := range in.Rules {
			if i := slices.IndexFunc(rules, func(r aws.IngressRule) bool { return r.Matches(asked) }); i >= 0 {
				standing = append(standing, rules[i].RuleID+" ("+asked.Ports()+" from "+asked.Source()+")")
			}
		}
	}
	if len(standing) > 0 {
		return VerifyFail, "still in " + in.GroupID + ": " + strings.Join(standing, ", ")
	}
	what := strings.Join(in.RuleIDs, ", ")
	if what == "" {
		what = "no rule like the one it added"
	}
	return VerifyPass, "undone: " + in.GroupID + " in " + e.Region + " no longer has " + what
}

// recheckShares: the accounts (or everyone) a Modify*Attribute added may no longer use the
// snapshot or AMI; a snapshot or AMI that is gone shares nothing.
func recheckShares(ctx context.Context, env *Env, _ AttackerChange, e aws.TrailEvent) (VerifyResult, string) {
	sh, ok := e.SharesChanged()
	if !ok {
		return VerifyPass, "the event changed nobody's access (another attribute)"
	}
	if len(sh.Added) == 0 {
		return VerifyPass, "the event only took access away (" + strings.Join(sh.Removed, ", ") + "): it gave nobody a way in"
	}
	read := env.Account.SnapshotShares
	if sh.Kind == aws.KindImage {
		read = env.Account.ImageShares
	}
	shares, exists, err := read(ctx, e.Region, sh.ID)
	switch {
	case err != nil:
		return VerifyUnknown, "cannot read who may use the " + sh.Kind + " " + sh.ID + ": " + aws.ErrorMessage(err)
	case !exists:
		return VerifyPass, fmt.Sprintf("undone: the %s %s is gone", sh.Kind, sh.ID)
	}
	var still []string
	for _, who := range sh.Added {
		if slices.Contains(shares, who) {
			still = append(still, who)
		}
	}
	if len(still) > 0 {
		return VerifyFail, fmt.Sprintf("the %s %s is still shared with %s", sh.Kind, sh.ID, strings.Join(still, ", "))
	}
	return VerifyPass, fmt.Sprintf("undone: the %s %s is no longer shared with %s", sh.Kind, sh.ID, strings.Join(sh.Added, ", "))
}
