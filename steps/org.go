package steps

import (
	"errors"
	"slices"
	"strings"
)

// In a sweep of an organization, each account's runbook knows the organization's accounts: a
// member's access role trusted by the management account is how the organization reaches it, not
// a backdoor to remove, and a leaked key of one account is contained in that account alone.

// insideOrg reports whether a principal (an account id, an ARN, or "*") belongs to an account of
// the organization being swept.
func (e *Env) insideOrg(principal string) bool {
	if principal == "*" || len(e.Organization) == 0 {
		return false
	}
	account := principal
	if fields := strings.Split(principal, ":"); len(fields) >= 5 && strings.HasPrefix(principal, "arn:") {
		account = fields[4]
	}
	_, ok := e.Organization[account]
	return ok
}

// outsideOrg keeps the principals that are outside the organization too.
func (e *Env) outsideOrg(who []string) []string {
	return slices.DeleteFunc(slices.Clone(who), e.insideOrg)
}

// orgAccounts are the organization's account ids, sorted.
func (e *Env) orgAccounts() []string {
	out := make([]string, 0, len(e.Organization))
	for id := range e.Organization {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// inMember turns a key of another account of the organization into the containment step's
// finding there (nothing to contain); any other error stays one.
func inMember(err error) (*Inspection, error) {
	var k *keyOfMember
	if errors.As(err, &k) {
		return k.inspection(), nil
	}
	return nil, err
}
