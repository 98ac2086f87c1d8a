package steps

import (
	"context"
	"slices"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// limitedDeletes is a responder who may not delete access keys or users, nor terminate one of
// the attacker's three miners (a resource-level deny), beside a backdoor user.
const limitedDeletes = `name: limited-deletes
seed: 21
account: {id: "333344445555"}
incident_start: -2h
responder:
  user: oncall
  access_key_id: AKIAEXAMPLERESPOND21
  secret_access_key: drill/responder/secret/key/0000000000021
  attached_policies: [AdministratorAccess]
  inline_policies:
    limits: '{"Version":"2012-10-17","Statement":[
      {"Effect":"Deny","Action":["iam:DeleteAccessKey","iam:DeleteUser"],"Resource":"*"},
      {"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"arn:aws:ec2:eu-north-1:333344445555:instance/i-0000000000000dead"}]}'
iam:
  users:
    - name: deploy-bot
      created: -400d
      access_keys: [{id: AKIAEXAMPLELEAKED021, created: -200d}]
    - name: backdoor
      created: -1h
      by: AKIAEXAMPLELEAKED021
      attached_policies: [AdministratorAccess]
      password: {created: -59m}
      access_keys: [{id: AKIAEXAMPLEBACKDR021, created: -58m, by: AKIAEXAMPLELEAKED021}]
ec2:
  instances:
    - {region: eu-north-1, id: i-0000000000000dead, type: g5.12xlarge, launched: -1h20m, by: AKIAEXAMPLELEAKED021}
    - {region: eu-north-1, id: i-0000000000000aaa1, type: g5.12xlarge, launched: -1h20m, by: AKIAEXAMPLELEAKED021}
    - {region: eu-north-1, id: i-0000000000000aaa2, type: g5.12xlarge, launched: -1h20m, by: AKIAEXAMPLELEAKED021}
attacker:
  access_key_id: AKIAEXAMPLELEAKED021
`

func startLimited(t *testing.T, mode Mode) *drill {
	t.Helper()
	s := simtest.Start(t, limitedDeletes, drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: mode}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	return &drill{srv: s.Server, clock: s.Clock, env: env}
}

// A user whose deletion is denied is still contained: its key, which may not be deleted either,
// is deactivated instead; its password and policies go; and its row says what is left and which
// permissions were missing.
func TestABackdoorUserThatMayNotBeDeletedIsStillLeftWithNoWorkingKey(t *testing.T) {
	d := startLimited(t, Drill)
	_, _, out := d.run(t, RemoveBackdoorUsers{}, "backdoor")
	if got := keyStatuses(t, d, "backdoor")["AKIAEXAMPLEBACKDR021"]; got != aws.KeyInactive {
		t.Fatalf("the backdoor key is %q, want Inactive: %+v", got, out.Results)
	}
	parts, _, err := aws.UserParts(context.Background(), d.env.Account.IAM(), "backdoor")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p.Kind != aws.PartAccessKey {
			t.Errorf("%s is still on the backdoor user: it was allowed to go", p)
		}
	}
	i := slices.IndexFunc(out.Results, func(r Result) bool { return r.ChangeID == "user/backdoor" })
	if i < 0 {
		t.Fatalf("no result for the user: %+v", out.Results)
	}
	msg := out.Results[i].Message
	for _, want := range []string{"still there", "AKIAEXAMPLEBACKDR021 (inactive)", "iam:DeleteAccessKey"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the user's result lacks %q: %s", want, msg)
		}
	}
	if out.Failed() == 0 {
		t.Error("a removal that left the user standing must count as failed")
	}
}

// One instance a policy denies does not shield the others: EC2 refuses a call naming it whole,
// so the call is tried instance by instance.
func TestAnInstanceTheResponderMayNotTerminateDoesNotShieldTheOthers(t *testing.T) {
	d := startLimited(t, Drill)
	_, _, out := d.run(t, TerminateInstances{}, "i-0000000000000dead", "i-0000000000000aaa1", "i-0000000000000aaa2")
	states := map[string]string{}
	for _, in := range d.srv.EC2Instances("eu-north-1") {
		states[in.ID] = in.State
	}
	if states["i-0000000000000aaa1"] != "terminated" || states["i-0000000000000aaa2"] != "terminated" {
		t.Errorf("the permitted terminations were not made: %v %+v", states, out.Results)
	}
	if states["i-0000000000000dead"] != "running" {
		t.Errorf("the denied instance is %s", states["i-0000000000000dead"])
	}
	for _, r := range out.Results {
		if strings.Contains(r.ChangeID, "dead") && (r.Status != StatusFailed || !strings.Contains(r.Message, "ec2:TerminateInstances")) {
			t.Errorf("the denied termination is not reported failed with the missing permission: %+v", r)
		}
	}
}

// Revoking a role's older sessions cuts everyone's, the team's included: the plan says so before
// the confirmation, naming the role.
func TestRevokingARolesSessionsWarnsThatTheTeamsSessionsGoToo(t *testing.T) {
	d := startDrill(t, DryRun)
	_, plan, _ := d.run(t, RevokeSessions{}, "deploy-role")
	if !slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, "deploy-role") && strings.Contains(w, "team's own sessions")
	}) {
		t.Errorf("the plan does not warn that the team's sessions of deploy-role are cut: %q", plan.Warnings)
	}
}
