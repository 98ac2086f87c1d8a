package runbooks

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/steps"
)

// testAccount is the simulated account 111122223333 in mode, confirmed, with --account naming it.
func testAccount(t *testing.T, mode steps.Mode) *aws.Account {
	t.Helper()
	return testAccountExpecting(t, mode, account)
}

// testAccountExpecting is the simulated account 111122223333 in mode, confirmed, with --account
// naming expected.
func testAccountExpecting(t *testing.T, mode steps.Mode, expected string) *aws.Account {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	return s.Account(t, aws.Options{Mode: mode, ExpectedAccount: expected})
}

// fakeAction is an action whose behaviour each test chooses; it records the env of every call.
type fakeAction struct {
	spec    steps.Spec
	inspect func(env *steps.Env) (*steps.Inspection, error)
	plan    func(env *steps.Env, found *steps.Inspection, selected []string) (*steps.Plan, error)
	apply   func(env *steps.Env, plan *steps.Plan) (*steps.Outcome, error)

	mu      sync.Mutex
	applied int
	envs    []steps.Env
	changes []aws.Changes
}

func (a *fakeAction) Spec() steps.Spec { return a.spec }

func (a *fakeAction) remember(env *steps.Env) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.envs = append(a.envs, *env)
}

func (a *fakeAction) lastEnv() steps.Env {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.envs[len(a.envs)-1]
}

func (a *fakeAction) applyCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.applied
}

func (a *fakeAction) Inspect(_ context.Context, env *steps.Env, report func(steps.Progress)) (*steps.Inspection, error) {
	a.remember(env)
	if report != nil {
		report(steps.Progress{Key: "us-east-1", State: steps.Done})
	}
	if a.inspect != nil {
		return a.inspect(env)
	}
	return &steps.Inspection{Summary: "nothing unusual"}, nil
}

func (a *fakeAction) Plan(_ context.Context, env *steps.Env, found *steps.Inspection, selected []string) (*steps.Plan, error) {
	a.remember(env)
	if a.plan != nil {
		return a.plan(env, found, selected)
	}
	return &steps.Plan{}, nil
}

func (a *fakeAction) Apply(_ context.Context, env *steps.Env, changes aws.Changes, plan *steps.Plan, _ func(steps.Progress)) (*steps.Outcome, error) {
	a.remember(env)
	a.mu.Lock()
	a.applied++
	a.changes = append(a.changes, changes)
	a.mu.Unlock()
	if a.apply != nil {
		return a.apply(env, plan)
	}
	out := &steps.Outcome{}
	for _, c := range plan.Changes {
		out.Results = append(out.Results, steps.Result{ChangeID: c.ID, Status: steps.StatusApplied})
	}
	return out, nil
}

// testRegistry stands in for the real registry: identity.confirm without parameters, the future
// rogue-instance scan with typed parameters, and an action with a required parameter.
func testRegistry() *steps.Registry {
	return steps.NewRegistry(
		&fakeAction{spec: steps.Spec{Name: "identity.confirm", ReadOnly: true}},
		&fakeAction{spec: steps.Spec{Name: "ec2.find-rogue-instances", ReadOnly: true, Params: []steps.Param{
			{Name: "concurrency", Type: steps.TypeInt},
			{Name: "usual_regions", Type: steps.TypeStrings},
			{Name: "window", Type: steps.TypeDuration},
		}}},
		&fakeAction{spec: steps.Spec{Name: "fake.contain-key", Params: []steps.Param{
			{Name: "key", Type: steps.TypeString, Required: true, Doc: "the leaked access key id"},
			{Name: "quarantine", Type: steps.TypeBool},
		}}},
	).WithChecks(
		steps.Check{Name: "fake.root-mfa", Verify: func(context.Context, *steps.Env) (steps.CheckResult, error) {
			return steps.CheckResult{Done: true, Detail: "root MFA is on"}, nil
		}},
		steps.Check{Name: "fake.root-keys", Verify: func(context.Context, *steps.Env) (steps.CheckResult, error) {
			return steps.CheckResult{}, errors.New("AccessDenied: not allowed to read the account summary")
		}},
	)
}
