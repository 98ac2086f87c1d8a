package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

// startBackdoorDrill is the crypto-miner scenario with two older roles an outside account may
// assume: partner-access beside a service and a role of this account, vendor-only alone.
func startBackdoorDrill(t *testing.T, mode Mode) *drill {
	t.Helper()
	text, err := sim.BuiltinScenarioText("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	extra := `  roles:
    - name: partner-access
      created: -400d
      trust: ["999988887777", "ec2.amazonaws.com", "arn:aws:iam::111122223333:role/deploy-role"]
    - name: vendor-only
      created: -400d
      trust: ["999988887777"]
`
	scenario := strings.Replace(string(text), "  roles:\n", extra, 1)
	if scenario == string(text) {
		t.Fatal("the scenario has no roles list to extend")
	}
	s := simtest.Start(t, scenario, drillStart)
	wire := s.Watch(t)
	env := envOf(s.Account(t, aws.Options{Mode: mode}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	return &drill{srv: s.Server, clock: s.Clock, wire: wire, env: env}
}

func trustOf(t *testing.T, d *drill, role string) (string, bool) {
	t.Helper()
	doc, found, err := aws.RoleTrust(context.Background(), d.env.Account.IAM(), role)
	if err != nil {
		t.Fatal(err)
	}
	return doc, found
}

func TestRoleBackdoorsAreClosedAndOnlyTheOutsidePrincipalGoes(t *testing.T) {
	d := startBackdoorDrill(t, Drill)
	_, plan, out := d.run(t, RevokeSessions{})
	if plan.Confirm.Typed != d.srv.Account() || !strings.Contains(plan.Confirm.Prompt, d.srv.Account()) {
		t.Errorf("closing roles must be confirmed by typing the account id, got %+v", plan.Confirm)
	}
	notes := strings.Join(plan.Notes, "\n")
	if !strings.Contains(notes, "partner-access before: ") || !strings.Contains(notes, "partner-access after: ") {
		t.Errorf("the plan does not show the trust policy before and after:\n%s", notes)
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, "vendor-only") {
		t.Errorf("a role only an outside account may assume is not named for the operator: %q", w)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied {
			t.Errorf("%s: %s %s", r.ChangeID, r.Status, r.Message)
		}
	}
	doc, _ := trustOf(t, d, "partner-access")
	if strings.Contains(doc, "999988887777") {
		t.Errorf("the outside account can still assume partner-access: %s", doc)
	}
	for _, stays := range []string{"ec2.amazonaws.com", "arn:aws:iam::111122223333:role/deploy-role"} {
		if !strings.Contains(doc, stays) {
			t.Errorf("%s was removed from the trust policy of partner-access: %s", stays, doc)
		}
	}
	if _, found := trustOf(t, d, "sync-automation"); found {
		t.Error("sync-automation, created after T0, still exists")
	}
	if doc, _ := trustOf(t, d, "vendor-only"); !strings.Contains(doc, "999988887777") {
		t.Errorf("vendor-only was changed without a plan for it: %s", doc)
	}
	for _, role := range []string{"deploy-role", "AWSServiceRoleForSupport"} {
		if _, found := trustOf(t, d, role); !found {
			t.Errorf("%s was deleted", role)
		}
	}
	again, err := RevokeSessions{}.Apply(context.Background(), d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range again.Results {
		if r.Status != StatusAlreadyDone && !strings.HasPrefix(r.ChangeID, "revoke/") {
			t.Errorf("applying the plan again: %s %s %s", r.ChangeID, r.Status, r.Message)
		}
	}
}

func TestClosingRoleBackdoorsInADryRunSendsNothingAndProvesEachChange(t *testing.T) {
	d := startBackdoorDrill(t, DryRun)
	_, plan, out := d.run(t, RevokeSessions{})
	if m := d.wire.Changes(); len(m) != 0 {
		t.Fatalf("dry run sent mutating requests: %+v", m)
	}
	if len(out.Results) != len(plan.Changes) {
		t.Fatalf("%d results for %d changes: %+v", len(out.Results), len(plan.Changes), out.Results)
	}
	for _, r := range out.Results {
		if r.Status != StatusWouldApply {
			t.Errorf("%s: %s %s", r.ChangeID, r.Status, r.Message)
		}
	}
	if doc, _ := trustOf(t, d, "partner-access"); !strings.Contains(doc, "999988887777") {
		t.Error("a dry run changed a trust policy")
	}
}

func TestTheSimulatorRefusesRoleChangesAsIAMDoes(t *testing.T) {
	d := startBackdoorDrill(t, Drill)
	ch := changesOf(d.env)
	ctx := context.Background()
	if _, err := ch.DeleteRole(ctx, "sync-automation"); aws.ErrorCode(err) != "DeleteConflict" {
		t.Errorf("deleting a role with a policy attached: %v, want DeleteConflict", err)
	}
	before, _ := trustOf(t, d, "vendor-only")
	if _, err := ch.UpdateRoleTrust(ctx, "vendor-only", before, `{"Version":"2012-10-17","Statement":[]}`); aws.ErrorCode(err) != "MalformedPolicyDocument" {
		t.Errorf("a trust policy without a statement: %v, want MalformedPolicyDocument", err)
	}
	if _, err := ch.UpdateRoleTrust(ctx, "partner-access", before, before); err == nil || !strings.Contains(err.Error(), "changed since the plan") {
		t.Errorf("a trust policy other than the reviewed one was overwritten: %v", err)
	}
	if eff, err := ch.DeleteRole(ctx, "no-such-role"); err != nil || eff != aws.AlreadyDone {
		t.Errorf("deleting a role already gone: %v %v, want already done", eff, err)
	}
}
