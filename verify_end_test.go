package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"lockdown/review"
	"lockdown/steps"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// verifyJSON runs `lockdown verify --json` against the simulator and decodes its one document.
func (s *simAccountForCLI) verifyJSON() (int, *steps.Verification, string) {
	s.t.Helper()
	return s.verifyJSONFor(simLeakedKey)
}

// verifyJSONFor is verifyJSON for the leaked key of another scenario.
func (s *simAccountForCLI) verifyJSONFor(leakedKey string) (int, *steps.Verification, string) {
	s.t.Helper()
	code, stdout, stderr := s.lockdown("verify", "--key", leakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "--json")
	var v steps.Verification
	if err := jsonUnmarshal(stdout, &v); err != nil {
		s.t.Fatalf("verify --json printed no JSON document (exit %d): %v\n%s\n%s", code, err, stdout, stderr)
	}
	return code, &v, stderr
}

// failing are the verification's checks that count against containment, as "check item".
func failing(v *steps.Verification) []string {
	var out []string
	for _, c := range v.Checks {
		if c.Open() {
			out = append(out, c.Check+" "+c.Item)
		}
	}
	sort.Strings(out)
	return out
}

func TestVerifyAgainstTheSimulatorListsEverythingLeftAndPassesAfterTheFullPlanIsApplied(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	code, before, _ := s.verifyJSON()
	if code != exitPartial || before.Contained {
		t.Fatalf("verify of the untouched account exited %d, contained=%v; want 3, not contained", code, before.Contained)
	}
	want := []string{"leaked key " + simLeakedKey, "new users support-sync", "new access keys support-sync/AKIAEXAMPLEBACKDOOR1",
		"new roles sync-automation"}
	for _, in := range s.srv.EC2Instances("") {
		// The Auto Scaling scale-out after T0 is not the attacker's: CloudTrail says who launched it.
		if in.Launched.After(s.srv.IncidentStart()) && in.State == "running" && in.Tags["aws:autoscaling:groupName"] == "" {
			// The protected one in sa-east-1 too: protection does not make it the account's.
			want = append(want, "rogue instances "+in.Region+"/"+in.ID)
		}
	}
	got := strings.Join(failing(before), "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("verify before the response does not list %q:\n%s", w, got)
		}
	}
	for _, w := range []string{"new access keys billing-reports/", "open spot requests ap-southeast-1/sir-", "inbound rules " + sshRule} {
		if !strings.Contains(got, w) {
			t.Errorf("verify before the response does not list %q:\n%s", w, got)
		}
	}
	if before.Remaining != len(failing(before)) {
		t.Errorf("remaining %d, but %d checks failed", before.Remaining, len(failing(before)))
	}

	// The outside account is the team's backup vendor: the reviewed plan keeps the role that
	// trusts it, in the step that would delete it.
	reason := "the backup vendor's account, ticket SEC-12"
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339),
		"--keep", "revoke-sessions:sync-automation:"+reason, "-o", path)
	if code != exitOK || !strings.Contains(stderr, "KEPT BY THE OPERATOR: sync-automation") {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	// Deleting the deactivated attacker key is a further plan that needs its own review: apply
	// says so with 3, and the key is off meanwhile.
	if code == exitFailed || code == exitUsage || !strings.Contains(stderr, "verify-contained: contained, with 1 kept by the operator") {
		t.Fatalf("apply exited %d:\n%s", code, stderr)
	}
	// The next plan finishes the job: the key apply deactivated is deleted, behind the account id.
	again := filepath.Join(t.TempDir(), "plan-again.json")
	if code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", again); code != exitOK {
		t.Fatalf("the second plan exited %d:\n%s", code, stderr)
	}
	next, err := review.ReadPlanFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if deletion := planChanges(next, "disable-attacker-keys"); !strings.HasPrefix(deletion, "iam:DeleteAccessKey billing-reports: delete ") || !strings.Contains(deletion, "already inactive") {
		t.Errorf("the second plan does not delete the attacker key the apply deactivated:\n%s", deletion)
	}

	code, after, stderr := s.verifyJSON()
	if code != exitOK || !after.Contained || after.Kept != 1 {
		t.Fatalf("verify after the full plan exited %d (contained=%v, kept=%d):\n%s\n%s", code, after.Contained, after.Kept,
			strings.Join(failing(after), "\n"), stderr)
	}
	for _, c := range after.Checks {
		if c.Check == "new roles" && c.Kept != reason {
			t.Errorf("the kept role reads %+v, want the operator's reason", c)
		}
	}

	_, table, _ := s.lockdown("verify", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339))
	if !strings.Contains(table, "kept by the operator: "+reason) || !strings.Contains(table, "contained, with 1 kept by the operator") {
		t.Errorf("verify's table does not show the operator's reason:\n%s", table)
	}

	// The report of the apply says contained, because the verification at its end passed.
	journals, _ := filepath.Glob(filepath.Join(s.journal, "*-live.jsonl"))
	if len(journals) != 1 {
		t.Fatalf("live journals: %v", journals)
	}
	code, report, _ := s.lockdown("report", journals[0])
	for _, want := range []string{"**Attacker: contained: the verification (Verify: is the attacker out?) passed at ",
		"- new roles sync-automation: kept by the operator: " + reason} {
		if !strings.Contains(report, want) {
			t.Errorf("the report (exit %d) lacks %q:\n%s", code, want, report)
		}
	}
}

func TestApplyExitsThreeWhenItsVerificationFindsTheAttackerNotOut(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	// The attacker rewrote the trust policy of an older role so that only their account may
	// assume it. Removing that principal would leave no trust policy, which IAM refuses, so the
	// role step only warns and revokes: the verification at the end of apply finds the way back in.
	onlyOutside := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.iam().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: sdk.String("deploy-role"), PolicyDocument: sdk.String(onlyOutside)}); err != nil {
		t.Fatal(err)
	}
	_, before, _ := s.verifyJSON()
	row := billingReportsKey(t, before)
	// The key is kept, so nothing waits for a further review: the verification alone decides.
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339),
		"--keep", "disable-attacker-keys:"+row+":made by the billing team", "-o", path)
	if code != exitOK || !strings.Contains(stderr, "deploy-role: only arn:aws:iam::999988887777:root may assume it") {
		t.Fatalf("plan exited %d, or does not warn that deploy-role's trust cannot be fixed:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if code != exitPartial || !strings.Contains(stderr, "verify-contained: not contained: 1 remaining") ||
		!strings.Contains(stderr, "! remains: fail · outside trust · deploy-role") {
		t.Fatalf("apply with the attacker's way back in left exited %d:\n%s", code, stderr)
	}
	code, after, _ := s.verifyJSON()
	// The attacker's security group rule was revoked by Close what the attacker opened.
	if got := failing(after); code != exitPartial || strings.Join(got, ", ") != "outside trust deploy-role" {
		t.Fatalf("verify after the plan exited %d listing %v; want 3 with deploy-role's outside trust alone", code, got)
	}
	for _, c := range after.Checks {
		if c.Check == "outside trust" && c.HandledBy != "Revoke role sessions" {
			t.Errorf("the outside trust is handled by %q, want the role step", c.HandledBy)
		}
	}
}

// TestTheFullPlanClosesTheOutsideTrustAndVerifyPasses is the whole response with no decision to
// keep anything: the role the attacker created, which an outside account may assume, is deleted,
// the SSH rule the attacker's session opened is revoked by the id CloudTrail names, and verify
// exits 0.
func TestTheFullPlanClosesTheOutsideTrustAndVerifyPasses(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	if code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", path); code != exitOK {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ps := plannedStep(t, doc, "revoke-sessions"); !strings.Contains(mustJSONOf(t, ps.Changes), "iam:DeleteRole") {
		t.Fatalf("the role step plans no role deletion: %+v", ps.Changes)
	}
	if ps := plannedStep(t, doc, "close-exposure"); len(ps.Changes) != 1 || ps.Changes[0].ID != "revoke-ingress/"+sshRule {
		t.Fatalf("the exposure step plans %+v; want the attacker's SSH rule revoked by its id", ps.Changes)
	}
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if code == exitFailed || code == exitUsage || !strings.Contains(stderr, "deleted role sync-automation") {
		t.Fatalf("apply exited %d:\n%s", code, stderr)
	}
	code, after, stderr := s.verifyJSON()
	if code != exitOK || !after.Contained || after.Kept != 0 {
		t.Fatalf("verify after the full plan exited %d (contained=%v, kept=%d): %v\n%s", code, after.Contained, after.Kept, failing(after), stderr)
	}
	rules, err := s.ec2("us-west-2").DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: sdk.String("group-id"), Values: []string{"sg-0c1d2e3f4a5b6c7d8"}}}})
	if err != nil || len(rules.SecurityGroupRules) != 2 || strings.Contains(mustJSONOf(t, rules), "sgr-0a9b8c7d6e5f40312") {
		t.Errorf("us-west-2's default group after apply: %v, %v; want the attacker's rule gone and the group's own two left", mustJSONOf(t, rules), err)
	}
	if _, err := s.iam().GetRole(context.Background(), &iam.GetRoleInput{RoleName: sdk.String("sync-automation")}); !strings.Contains(fmt.Sprint(err), "NoSuchEntity") {
		t.Errorf("GetRole sync-automation after apply: %v, want NoSuchEntity", err)
	}
}

func mustJSONOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// billingReportsKey is the row of the key the attacker added to billing-reports.
func billingReportsKey(t *testing.T, v *steps.Verification) string {
	t.Helper()
	for _, c := range v.Checks {
		if c.Check == "new access keys" && strings.HasPrefix(c.Item, "billing-reports/") {
			return c.Item
		}
	}
	t.Fatal("the scenario put no key on billing-reports after T0")
	return ""
}

func TestAKeyKeptInThePlanIsLeftActiveAndPassesTheVerificationWithItsReason(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	_, before, _ := s.verifyJSON()
	row := billingReportsKey(t, before)
	user, key, _ := strings.Cut(row, "/")
	reason := "made by the billing team for the new exporter, ticket FIN-9"
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339),
		"--keep", "disable-attacker-keys:"+row+":"+reason, "--keep", "revoke-sessions:sync-automation:the backup vendor's account", "-o", path)
	if code != exitOK {
		t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ps := plannedStep(t, doc, "disable-attacker-keys"); len(ps.Changes) != 0 || len(ps.Kept) != 1 || ps.Kept[0].Reason != reason {
		t.Fatalf("the kept key's step plans %d changes and keeps %+v", len(ps.Changes), ps.Kept)
	}
	code, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if code != exitOK {
		t.Fatalf("apply exited %d:\n%s", code, stderr)
	}
	if got := s.keyStatus(user, key); got != "Active" {
		t.Errorf("the kept key is %s after apply, want Active", got)
	}
	code, after, _ := s.verifyJSON()
	if code != exitOK || after.Kept != 2 {
		t.Fatalf("verify exited %d with %d kept: %v", code, after.Kept, failing(after))
	}
	for _, c := range after.Checks {
		if c.Item == row && (c.Result != steps.VerifyPass || c.Kept != reason) {
			t.Errorf("the kept key reads %+v", c)
		}
	}
}

// The SSH rule the attacker's role session opened to the world, as the verification names it.
const sshRule = "us-west-2/sgr-0a9b8c7d6e5f40312"
