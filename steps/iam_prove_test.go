package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// limitedResponder is an account whose responder may do everything except what extra denies.
func limitedResponder(extra string) string {
	return `name: limited-responder
seed: 3
account: {id: "111122223333"}
incident_start: -3h
responder:
  user: responder
  access_key_id: AKIAEXAMPLERESPONDER
  secret_access_key: limited/responder/secret/key/00000000000
  inline_policies:
    work: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}` + extra + `]}'
iam:
  users:
    - name: ci-deploy
      created: -400d
      access_keys:
        - id: AKIAEXAMPLELEAKED001
          created: -200d
          last_used: {at: -20m, service: ec2, region: us-west-2}
`
}

// dryRunContain plans and dry-runs the containment of the leaked key as the limited responder.
func dryRunContain(t *testing.T, scenario string) (*Outcome, map[string]Result) {
	t.Helper()
	s := simtest.Start(t, scenario, drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: DryRun}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = leakedKey
	ctx := context.Background()
	insp, err := ContainKey{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ContainKey{}.Plan(ctx, env, insp, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ContainKey{}.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Result{}
	for _, r := range out.Results {
		byID[r.ChangeID] = r
	}
	return out, byID
}

func TestADryRunShowsAnIAMChangeTheRespondersPoliciesDenyAsFailed(t *testing.T) {
	deny := `,{"Effect":"Deny","Action":"iam:UpdateAccessKey","Resource":"*"}`
	out, got := dryRunContain(t, limitedResponder(deny))
	if r := got[KeyDeactivationID(leakedKey)]; r.Status != StatusFailed || r.Code != "AccessDenied" || !strings.Contains(r.Message, "iam:UpdateAccessKey") {
		t.Errorf("a denied deactivation must fail the dry run, got %+v", r)
	}
	if r := got[UserSessionsID("ci-deploy")]; r.Status != StatusWouldApply {
		t.Errorf("an allowed change must be proven, got %+v", r)
	}
	if out.Failed() != 1 {
		t.Errorf("want exactly the denied change failed: %+v", out.Results)
	}
}

func TestADryRunSaysNotCheckedWhenThePermissionSimulationIsDenied(t *testing.T) {
	deny := `,{"Effect":"Deny","Action":"iam:SimulatePrincipalPolicy","Resource":"*"}`
	out, _ := dryRunContain(t, limitedResponder(deny))
	if len(out.Results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range out.Results {
		if r.Status != StatusNotChecked || strings.Contains(r.Message, "would ") {
			t.Errorf("%s: %s %q; without the simulation nothing is proven, so nothing may read as would apply", r.ChangeID, r.Status, r.Message)
		}
	}
	if out.Failed() != 0 {
		t.Errorf("not checked is not a failure: %+v", out.Results)
	}
}
