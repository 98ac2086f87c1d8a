package steps

import (
	"context"
	"fmt"
	"strings"

	"lockdown/aws"
)

// checkNewRoles: no role created after T0 is left, whatever its trust. A role trusted only by a
// service (ec2.amazonaws.com, lambda.amazonaws.com) is as much a way back in as one trusted by an
// outside account: whoever can launch an instance or a function with it acts with its policies.
// A teammate's role, by CloudTrail, is still listed: it passes once the operator keeps it.
func checkNewRoles(ctx context.Context, env *Env) []VerifyCheck {
	const check = "new roles"
	if env.Since.IsZero() {
		return []VerifyCheck{{Check: check, Item: "all roles", Result: VerifyNotChecked, Evidence: "not checked: no incident start (set --since)", HandledBy: byRevoke}}
	}
	roles, err := aws.ListRoles(ctx, env.Account.IAM())
	if err != nil {
		return []VerifyCheck{{Check: check, Item: "all roles", Result: VerifyUnknown, Evidence: "cannot list roles: " + aws.ErrorMessage(err), HandledBy: byRevoke}}
	}
	kept := keptItems(env)
	var out []VerifyCheck
	serviceLinked := 0
	for _, r := range roles {
		if !after(r.Created, env.Since) {
			continue
		}
		if r.ServiceLinked() {
			// AWS makes these for a service the account starts using; nobody can change them.
			serviceLinked++
			continue
		}
		v := judgeNewRole(env.Trace, r)
		c := VerifyCheck{Check: check, Item: r.Name, Result: VerifyFail, HandledBy: byRevoke, Row: r.Name,
			Evidence: v.Why + "; " + trustWords(r)}
		if !v.Attacker {
			c.HandledBy = "keep it with the reason if its owner vouches for it (K, or plan --keep verify-contained:" + r.Name + ":REASON), or delete it in " + byRevoke
		}
		c.keptBy(kept, r.Name)
		out = append(out, c)
	}
	if len(out) == 0 {
		evidence := fmt.Sprintf("no role created after T0 %s, of %d", when(env.Since), len(roles))
		if serviceLinked > 0 {
			evidence += fmt.Sprintf(" (%s made by AWS for a service, which only that service can use)", plural(serviceLinked, "service-linked role"))
		}
		out = append(out, VerifyCheck{Check: check, Item: "all roles", Result: VerifyPass, Evidence: evidence})
	}
	return out
}

// trustWords says who may assume a role, in a few words.
func trustWords(r aws.Role) string {
	principals := aws.TrustPrincipals(r.Trust)
	if len(principals) == 0 {
		return "its trust policy names nobody lockdown can read"
	}
	return "assumable by " + strings.Join(principals, ", ")
}
