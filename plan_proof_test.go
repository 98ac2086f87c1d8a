package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
	"lockdown/steps"
)

// provingAccount is an account with the leaked key, a protected rogue instance, and a responder
// allowed everything except what extra denies.
func provingAccount(t *testing.T, extra string) *simAccountForCLI {
	t.Helper()
	scenario := `name: proving
seed: 5
account: {id: "111122223333"}
incident_start: -3h
responder:
  user: responder
  access_key_id: AKIAEXAMPLERESPONDER
  secret_access_key: proving/responder/secret/key/000000000000
  inline_policies:
    work: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}` + extra + `]}'
iam:
  users:
    - name: ci-deploy
      created: -400d
      access_keys:
        - {id: ` + simLeakedKey + `, created: -200d, last_used: {at: -20m, service: ec2, region: us-west-2}}
ec2:
  instances:
    - {region: sa-east-1, id: i-00000000000guarded, type: g5.48xlarge, launched: -1h, protected: true}
`
	s := simtest.Start(t, scenario, time.Now().UTC())
	wire := s.Watch(t)
	return &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
}

func (s *simAccountForCLI) planExpecting(code int) (string, *review.PlanDocument) {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "plan.json")
	got, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", path)
	if got != code {
		s.t.Fatalf("lockdown plan exited %d, want %d:\n%s", got, code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return stderr, doc
}

func dryRunResult(t *testing.T, doc *review.PlanDocument, step, change string) steps.Result {
	t.Helper()
	for _, r := range plannedStep(t, doc, step).DryRunResults {
		if r.ChangeID == change {
			return r
		}
	}
	t.Fatalf("step %s has no dry-run result for %s", step, change)
	return steps.Result{}
}

func TestPlanShowsAnIAMChangeTheResponderMayNotMakeAsAFailedCheck(t *testing.T) {
	t.Parallel()
	s := provingAccount(t, `,{"Effect":"Deny","Action":"iam:UpdateAccessKey","Resource":"*"}`)
	stderr, doc := s.planExpecting(exitPartial)
	if r := dryRunResult(t, doc, "contain-key", "deactivate/"+simLeakedKey); r.Status != steps.StatusFailed || r.Code != "AccessDenied" {
		t.Errorf("the denied deactivation reads %s %s %s", r.Status, r.Code, r.Message)
	}
	if !strings.Contains(stderr, "FAILED CHECK deactivate/"+simLeakedKey) {
		t.Errorf("the summary does not show the failed check:\n%s", stderr)
	}
	if len(s.mutating()) != 0 {
		t.Fatalf("plan changed the account: %+v", s.mutating())
	}
}

func TestPlanSaysNotProvenWhenThePermissionSimulationIsDenied(t *testing.T) {
	t.Parallel()
	s := provingAccount(t, `,{"Effect":"Deny","Action":"iam:SimulatePrincipalPolicy","Resource":"*"}`)
	stderr, doc := s.planExpecting(exitOK)
	if r := dryRunResult(t, doc, "contain-key", "deactivate/"+simLeakedKey); r.Status != steps.StatusNotChecked {
		t.Errorf("the deactivation reads %s %s: without the simulation it is not proven", r.Status, r.Message)
	}
	if !strings.Contains(stderr, "NOT PROVEN") {
		t.Errorf("the summary does not say what is not proven:\n%s", stderr)
	}
}

func TestPlanDisablesTheTerminationProtectionItFound(t *testing.T) {
	t.Parallel()
	s := provingAccount(t, "")
	_, doc := s.planExpecting(exitOK)
	var ops []string
	for _, c := range plannedStep(t, doc, "terminate-instances").Changes {
		if c.Target == "i-00000000000guarded" {
			ops = append(ops, c.Op)
		}
	}
	if strings.Join(ops, " ") != steps.OpUnprotectEC+" "+steps.OpTerminate {
		t.Fatalf("the protected instance is planned as %v, want protection disabled, then terminated", ops)
	}
}
