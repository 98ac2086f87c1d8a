package steps

import (
	"context"
	"sort"

	"lockdown/aws"
)

// Check verifies, read-only, that an item of a manual checklist really was done — for the items
// an API can see, such as the root user's MFA. The operator still ticks the rest by hand.
type Check struct {
	Name    string
	Summary string
	Verify  func(ctx context.Context, env *Env) (CheckResult, error)
}

// CheckResult is what a check found: whether the item is done, and the evidence in words.
type CheckResult struct {
	Done   bool   `json:"done"`
	Detail string `json:"detail"`
}

// builtinChecks are the checks runbooks may name with `verify:`.
func builtinChecks() []Check {
	return []Check{
		{
			Name:    "iam.root-access-keys-absent",
			Summary: "the root user has no access keys",
			Verify: rootCheck(func(r aws.RootSummary) bool { return !r.AccessKeysPresent },
				"the account summary shows no root access keys", "IAM's account summary still shows root access keys"),
		},
		{
			Name:    "iam.root-mfa-enabled",
			Summary: "the root user has an MFA device",
			Verify: rootCheck(func(r aws.RootSummary) bool { return r.MFAEnabled },
				"the account summary shows root MFA on", "IAM's account summary says root MFA is off"),
		},
	}
}

// rootCheck verifies something IAM's account summary says about the root user.
func rootCheck(done func(aws.RootSummary) bool, yes, no string) func(context.Context, *Env) (CheckResult, error) {
	return func(ctx context.Context, env *Env) (CheckResult, error) {
		root, err := aws.ReadRootSummary(ctx, env.Account.IAM())
		if err != nil {
			return CheckResult{}, err
		}
		if done(root) {
			return CheckResult{Done: true, Detail: yes}, nil
		}
		return CheckResult{Detail: no}, nil
	}
}

// Check returns the check called name.
func (r *Registry) Check(name string) (Check, bool) {
	c, ok := r.checks[name]
	return c, ok
}

// CheckNames returns every check name, sorted.
func (r *Registry) CheckNames() []string {
	names := make([]string, 0, len(r.checks))
	for n := range r.checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WithChecks returns r with checks added; a duplicate name is a programming error.
func (r *Registry) WithChecks(checks ...Check) *Registry {
	if r.checks == nil {
		r.checks = map[string]Check{}
	}
	for _, c := range checks {
		if _, dup := r.checks[c.Name]; dup {
			panic("steps: check " + c.Name + " registered twice")
		}
		r.checks[c.Name] = c
	}
	return r
}
