package runbooks

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/steps"
)

// verifyingRun is a test run whose contain step answers with the verification given, the way
// verify.contained does.
func verifyingRun(t *testing.T, v *steps.Verification) testRun {
	t.Helper()
	contain := containAction()
	inspect := contain.inspect
	contain.inspect = func(env *steps.Env) (*steps.Inspection, error) {
		found, err := inspect(env)
		if v != nil {
			found.Data, found.Summary = v, "verified"
		}
		return found, err
	}
	return newTestRun(t, contain)
}

// verifyStep confirms the account, then inspects the contain step, which verifies.
func verifyStep(t *testing.T, tr testRun) {
	t.Helper()
	for _, id := range []string{"confirm", "contain"} {
		if _, err := tr.Inspect(context.Background(), id, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func reportOf(t *testing.T, tr testRun) (*Report, string) {
	t.Helper()
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(entries)
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	return rep, md.String()
}

var backdoorLeft = &steps.Verification{Remaining: 1, Checks: []steps.VerifyCheck{
	{Check: "leaked key", Item: "AKIAEXAMPLELEAKED001", Result: steps.VerifyPass, Evidence: "Inactive on ci-deploy"},
	{Check: "new access keys", Item: "billing-reports/AKIAEXAMPLEBACKDOOR2", Result: steps.VerifyFail,
		Evidence: "created 2026-11-28 01:00Z and still Active", HandledBy: "Deactivate keys the attacker added"},
}}

func TestAReportSaysNotVerifiedWhenNoVerificationRan(t *testing.T) {
	tr := verifyingRun(t, nil)
	verifyStep(t, tr)
	rep, md := reportOf(t, tr)
	if rep.Containment.Verdict != NotVerified || !strings.Contains(md, "**Attacker: not verified") {
		t.Fatalf("verdict %q without any verification:\n%s", rep.Containment.Verdict, md)
	}
	if strings.Contains(md, "Attacker: contained") {
		t.Fatalf("the report says contained without a verification:\n%s", md)
	}
}

func TestAReportSaysNotContainedAndListsWhatRemainsWithTheStepThatHandlesIt(t *testing.T) {
	tr := verifyingRun(t, backdoorLeft)
	verifyStep(t, tr)
	rep, md := reportOf(t, tr)
	if rep.Containment.Verdict != NotContained || len(rep.Containment.Remaining) != 1 {
		t.Fatalf("containment %+v, want not contained with the backdoor key remaining", rep.Containment)
	}
	for _, want := range []string{
		"**Attacker: not contained: the verification (contain) at ",
		"found 1 item remaining",
		"- new access keys billing-reports/AKIAEXAMPLEBACKDOOR2: fail (created 2026-11-28 01:00Z and still Active) — handled by: Deactivate keys the attacker added",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if why := strings.Join(rep.Unsettled(), "; "); !strings.Contains(why, "not contained") {
		t.Errorf("a report of an incident not contained counts as finished: %q", why)
	}
}

func TestAReportSaysContainedOnlyAfterAPassingVerificationAndAsksAgainAfterLaterChanges(t *testing.T) {
	passed := &steps.Verification{Contained: true, Kept: 1, Checks: []steps.VerifyCheck{
		{Check: "leaked key", Item: "AKIAEXAMPLELEAKED001", Result: steps.VerifyPass, Evidence: "Inactive on ci-deploy"},
		{Check: "outside trust", Item: "sync-automation", Result: steps.VerifyPass, Evidence: "can be assumed by arn:aws:iam::999988887777:root",
			Kept: "the backup vendor's account, ticket SEC-12"},
	}}
	tr := verifyingRun(t, passed)
	verifyStep(t, tr)
	rep, md := reportOf(t, tr)
	if rep.Containment.Verdict != Contained || len(rep.Unsettled()) != 0 {
		t.Fatalf("containment %+v, unsettled %v; want contained", rep.Containment, rep.Unsettled())
	}
	for _, want := range []string{"**Attacker: contained: the verification (contain) passed at ",
		"- outside trust sync-automation: kept by the operator: the backup vendor's account, ticket SEC-12"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	// A change applied after the verification: the verdict no longer speaks for the account.
	if _, err := tr.Apply(context.Background(), "contain", tr.planned(t), account, nil); err != nil {
		t.Fatal(err)
	}
	_, md = reportOf(t, tr)
	if !strings.Contains(md, "changes were applied after it, so verify again") {
		t.Errorf("a change after the verification goes unmentioned:\n%s", md)
	}
}

func TestAKeepDecisionIsJournaledWithItsReasonAndReadBackForItsAccountOnly(t *testing.T) {
	tr := verifyingRun(t, nil)
	verifyStep(t, tr)
	if err := tr.Keep("contain", "sync-automation", "  "); err == nil {
		t.Fatal("a keep without a reason was recorded")
	}
	if err := tr.Keep("contain", "sync-automation", "the backup vendor's account"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(tr.journal.Path())
	if got := KeptItems(dir, account, "")["sync-automation"]; got != "the backup vendor's account" {
		t.Fatalf("kept items of %s: %q", account, got)
	}
	if got := KeptItems(dir, "999988887777", ""); len(got) != 0 {
		t.Fatalf("another account's verification sees this account's decisions: %v", got)
	}
	if _, md := reportOf(t, tr); !strings.Contains(md, "- kept sync-automation: the backup vendor's account") {
		t.Errorf("the report does not show the decision:\n%s", md)
	}
}

func TestADrillsKeepDecisionCountsOnlyInThatDrill(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, "drill-1")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Record(Entry{Incident: "drill-1", Step: "verify-contained", Mode: string(steps.Drill), Account: account, Kind: KindKeep,
		Data: keepData{Item: "sync-automation", Reason: "a trainee's guess"}}); err != nil {
		t.Fatal(err)
	}
	if got := KeptItems(dir, account, "drill-1"); got["sync-automation"] != "a trainee's guess" {
		t.Errorf("the drill's own decision is not seen in it: %v", got)
	}
	if got := KeptItems(dir, account, "drill-2"); len(got) != 0 {
		t.Errorf("a decision from an earlier drill carries over to the next (the simulated ids repeat): %v", got)
	}
	if got := KeptItems(dir, account, ""); len(got) != 0 {
		t.Errorf("a drill's decision counts for the real account's verification: %v", got)
	}
}
