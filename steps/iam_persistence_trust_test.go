package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// trustScenario: an operator created one role a month ago; the attacker later replaced its
// trust policy to let their own account in. Another role's trust was replaced too, but its
// creation is older than CloudTrail's history, so the policy before is unknown.
const trustScenario = `
name: trust
account: {id: "111122223333"}
incident_start: -3h
responder: {user: oncall, access_key_id: AKIAEXAMPLERESPOND09, secret_access_key: x/responder/0000000000000000000000000000}
iam:
  users:
    - name: ops
      created: -400d
    - name: dev
      created: -400d
      access_keys: [{id: AKIAEXAMPLELEAKED009, created: -100d}]
  roles:
    - name: deploy
      created: -30d
      by: user:ops
      trust: [ec2.amazonaws.com]
      trust_change: {at: -2h, by: AKIAEXAMPLELEAKED009, trust: ["999988887777"]}
    - name: legacy
      created: -200d
      trust: [lambda.amazonaws.com]
      trust_change: {at: -1h, by: AKIAEXAMPLELEAKED009, trust: ["999988887777"]}
attacker:
  access_key_id: AKIAEXAMPLELEAKED009
`

func TestAReplacedTrustPolicyIsPutBackFromTheHistoryOrLeftWithAWarning(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, trustScenario, drillStart)
	acct := s.Account(t, aws.Options{Mode: Drill, LookupInterval: time.Millisecond})
	env := envOf(acct)
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	d := &drill{srv: s.Server, clock: s.Clock, env: env}
	insp, plan, out := d.run(t, RemoveIAMPersistence{})
	if sel := insp.Table.SelectedIDs(); len(sel) != 1 || sel[0] != "trust/deploy" {
		t.Fatalf("selected %v", sel)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Op != "iam:UpdateAssumeRolePolicy" || !strings.Contains(plan.Changes[0].Summary, "UpdateAssumeRolePolicy by AKIAEXAMPLELEAKED009") {
		t.Fatalf("plan: %+v", plan.Changes)
	}
	if notes := strings.Join(plan.Notes, "\n"); !strings.Contains(notes, "ec2.amazonaws.com") {
		t.Errorf("the plan does not show the policy it restores: %q", notes)
	}
	if w := strings.Join(insp.Warnings, "\n"); !strings.Contains(w, "The trust policy of legacy was replaced") || !strings.Contains(w, "Revoke role sessions removes arn:aws:iam::999988887777:root") {
		t.Errorf("the role whose earlier policy is unknown is not left with a warning: %q", w)
	}
	if len(out.Results) != 1 || out.Results[0].Status != StatusApplied {
		t.Fatalf("results %+v", out.Results)
	}
	trust, _, err := aws.RoleTrust(context.Background(), acct.IAM(), "deploy")
	if err != nil || !strings.Contains(trust, "ec2.amazonaws.com") || strings.Contains(trust, "999988887777") {
		t.Fatalf("read back: %s, %v", trust, err)
	}
	again, err := RemoveIAMPersistence{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sel := again.Table.SelectedIDs(); len(sel) != 0 {
		t.Errorf("after the restore, a second inspection proposes %v", sel)
	}
}
