package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
)

// deniedResponder is an incident where the responder may do everything but delete IAM users and
// Auto Scaling groups: the backdoor user, its key and password, miners in two regions and miners
// behind the attacker's Auto Scaling group.
const deniedResponder = `name: denied-responder
seed: 17
account: {id: "222233334444", alias: acme-limited}
incident_start: -2h
enforce_permissions: true
responder:
  user: oncall
  access_key_id: AKIAEXAMPLERESPOND17
  secret_access_key: drill/responder/secret/key/0000000000017
  attached_policies: [AdministratorAccess]
  inline_policies:
    no-user-or-group-deletes: '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["iam:DeleteUser","autoscaling:DeleteAutoScalingGroup"],"Resource":"*"}}'
iam:
  root: {access_keys_present: false, mfa_enabled: true}
  users:
    - name: deploy-bot
      created: -400d
      attached_policies: [AdministratorAccess]
      access_keys:
        - {id: AKIAEXAMPLELEAKED017, created: -200d, last_used: {at: -10m, service: ec2, region: eu-north-1}}
    - name: support-desk
      created: -1h50m
      by: AKIAEXAMPLELEAKED017
      attached_policies: [AdministratorAccess]
      password: {created: -1h49m, by: AKIAEXAMPLELEAKED017}
      access_keys:
        - {id: AKIAEXAMPLEBACKDR017, created: -1h48m, by: AKIAEXAMPLELEAKED017, last_used: {at: -20m, service: ec2, region: sa-east-1}}
  roles:
    - name: AWSServiceRoleForAutoScaling
      created: -800d
      service_linked: autoscaling.amazonaws.com
cloudtrail:
  trails:
    - {name: audit, home_region: us-east-1, multi_region: true, created: -700d}
guardduty:
  detectors:
    - {region: us-east-1, created: -700d}
ec2:
  key_pairs:
    - {region: us-east-1, name: team, created: -600d}
  instances:
    - {region: us-east-1, type: m5.large, launched: -300d, key_name: team, tags: {Name: app}}
    - {region: us-west-2, type: g4dn.12xlarge, launched: -1h30m, by: AKIAEXAMPLELEAKED017, tags: {"aws:autoscaling:groupName": rigs}}
    - {region: us-west-2, type: g4dn.12xlarge, launched: -1h30m, by: AKIAEXAMPLELEAKED017, tags: {"aws:autoscaling:groupName": rigs}}
    - {region: eu-north-1, type: g5.12xlarge, launched: -1h20m, by: AKIAEXAMPLELEAKED017}
    - {region: eu-north-1, type: g5.12xlarge, launched: -1h20m, by: AKIAEXAMPLELEAKED017}
    - {region: sa-east-1, type: p3.8xlarge, launched: -1h, by: AKIAEXAMPLEBACKDR017}
  launch_templates:
    - {region: us-west-2, name: rigs, type: g4dn.12xlarge, created: -1h40m, by: AKIAEXAMPLELEAKED017}
autoscaling:
  groups:
    - {region: us-west-2, name: rigs, launch_template: rigs, min: 2, max: 2, desired: 2, created: -1h35m, by: AKIAEXAMPLELEAKED017}
attacker:
  access_key_id: AKIAEXAMPLELEAKED017
  source_ip: 203.0.113.17
`

// Partial permissions degrade to containment, never to nothing: a responder denied iam:DeleteUser
// and autoscaling:DeleteAutoScalingGroup still leaves the backdoor user unable to sign anything,
// its password and policies gone, every permitted termination made, the group scaled to nothing,
// and the missing permissions named in apply's output and in the incident report.
func TestAResponderDeniedSomeDeletionsStillContainsEverythingItMay(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, deniedResponder, time.Now().UTC())
	wire := s.Watch(t)
	cli := &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
	since := s.Server.IncidentStart().Format(time.RFC3339)
	team := ""
	for _, in := range s.Server.EC2Instances("us-east-1") {
		team = in.ID
	}

	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := cli.lockdown("plan", "--key", "AKIAEXAMPLELEAKED017", "--since", since, "-o", path)
	if code != exitPartial {
		t.Fatalf("a plan whose checks are denied in part must exit 3, got %d:\n%s", code, stderr)
	}
	for _, want := range []string{"FAILED CHECK user/support-desk", "iam:DeleteUser", "autoscaling:DeleteAutoScalingGroup"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the plan's summary lacks %q:\n%s", want, stderr)
		}
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"remove-rogue-users", "terminate-instances", "stop-respawners"} {
		if ps := plannedStep(t, doc, step); ps.Status != review.PlanPlanned {
			t.Errorf("%s is %s (%s): a denied sibling must not set a whole step aside", step, ps.Status, ps.Reason)
		}
	}

	code, _, stderr = cli.lockdown("apply", path, "--live", "--confirm", "222233334444", "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "new-keys.ini"))
	if code != exitPartial {
		t.Errorf("apply with denied changes must exit 3, got %d", code)
	}
	if status := cli.keyStatus("support-desk", "AKIAEXAMPLEBACKDR017"); status == "Active" {
		t.Errorf("the backdoor key is still active:\n%s", stderr)
	}
	ctx := context.Background()
	if _, err := cli.iam().GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: sdk.String("support-desk")}); err == nil {
		t.Error("the backdoor user's console password is still there")
	}
	attached, err := cli.iam().ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: sdk.String("support-desk")})
	if err != nil || len(attached.AttachedPolicies) != 0 {
		t.Errorf("the backdoor user still holds policies: %v %+v", err, attached)
	}
	for id, state := range cli.instanceStates() {
		switch {
		case id == team && state != "running":
			t.Errorf("the team's instance %s is %s", id, state)
		case id != team && state != "terminated" && state != "shutting-down":
			t.Errorf("the attacker's instance %s is %s: a permitted termination was not made", id, state)
		}
	}
	_, report, _ := cli.lockdown("report", cli.newestLiveJournalPath())
	for what, text := range map[string]string{"apply's output": stderr, "the report": report} {
		for _, want := range []string{"iam:DeleteUser", "autoscaling:DeleteAutoScalingGroup"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s does not name the missing permission %s:\n%s", what, want, text)
			}
		}
	}
	if !strings.Contains(stderr, "still there: the user itself") {
		t.Errorf("apply does not say what remains of the user:\n%s", stderr)
	}
	if !strings.Contains(stderr, "rigs in us-west-2 is scaled to 0") || !strings.Contains(stderr, "missing permission: autoscaling:DeleteAutoScalingGroup") {
		t.Errorf("apply does not say the group that may not be deleted is scaled to 0, and which permission is missing:\n%s", stderr)
	}
}
