package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
	"lockdown/steps"
)

// startLingeringForCLI serves lingering-access for the command line, as startSimForCLI serves
// crypto-miner.
func startLingeringForCLI(t *testing.T) *simAccountForCLI {
	t.Helper()
	s := simtest.Start(t, "lingering-access", time.Now().UTC())
	wire := s.Watch(t)
	return &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
}

// runbookWithout writes the built-in runbook less one step, as an operator following every step
// but that one would run it.
func runbookWithout(t *testing.T, stepID string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("runbooks", "compromised-account.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(text), "  - id: "+stepID+"\n")
	if start < 0 {
		t.Fatalf("the runbook has no step %s", stepID)
	}
	end := start + 1 + strings.Index(string(text[start+1:]), "\n  - id: ")
	path := filepath.Join(t.TempDir(), "runbook.yaml")
	if err := os.WriteFile(path, append(text[:start:start], text[end+1:]...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const lingeringKey, lingeringAccount = "AKIAEXAMPLELEAKED003", "222233334444"

// The attacker's ways in that only Close what the attacker opened undoes, and the Access Analyzer
// finding nothing undoes, as the verification names them.
// exposureChecks are the verification's checks of what exposes the account.
var exposureChecks = []string{"inbound rules", "shared snapshots", "shared AMIs", "Access Analyzer"}

var lingeringDoors = []string{
	"inbound rules us-east-1/sgr-0a77ac4e2000000a1", "inbound rules us-east-1/sgr-0a77ac4e2000000a2",
	"inbound rules eu-west-1/sgr-0a77ac4e2000000a3",
	"shared snapshots us-east-1/snap-0da7a0b5e0000db02/999988887777", "shared snapshots us-east-1/snap-0da7a0b5e0000db03/all",
	"shared AMIs us-east-1/ami-0da7a0b5e00001d01/999988887777",
	"Access Analyzer us-east-1/c1d27660-b76f-b734-45e6-01bb38ebe5b8",
}

// What the operator keeps, each with the reason, on the verification: the team's own doors (a keep
// of the exposure step's row, close-exposure:ID, is the same decision), and what the scenario's
// IAM side leaves to the operator.
var lingeringKeeps = []string{
	"verify-contained:us-east-1/sgr-0ee05b0b000000443:the shop is public",
	"verify-contained:eu-west-1/sgr-0ee05b0b000000444:the shop is public",
	"verify-contained:us-east-1/snap-0da7a0b5e0000db01/111100002222:our backup account",
	"verify-contained:us-east-1/snap-0da7a0b5e0000db02/111100002222:our backup account",
	"verify-contained:eu-west-1/ami-0da7a0b5e00001a32/all:the appliance we publish",
	"verify-contained:990971eb-1cc6-7346-48cb-8375d739e6a8:the backup account decrypts the backups",
	// The IAM side of the scenario, settled as its own tests settle it: the lead's role, and the
	// attacker's policy deleted by hand.
	"verify-contained:analytics-runner:the lead's role for the new Lambda function",
	"verify-contained:backup-access:deleted by hand, SEC-21",
}

// lingeringLoggingKeeps settle the scenario's logging side, which the operator does by hand, so
// the exposure tests read exposure alone.
var lingeringLoggingKeeps = []string{
	"verify-contained:trail management-events:lifecycle rule removed by hand, SEC-22",
	"verify-contained:trail data-lake:data events only, by design",
	"verify-contained:trail security-archive:re-created by hand, SEC-23",
	"verify-contained:us-east-1/acme-data-cloudtrail/4d64e06f-8091-50c3-1acf-3d4b55223cf2:lifecycle rule removed by hand, SEC-22",
}

func (s *simAccountForCLI) planAndApply(keeps []string, extra ...string) (int, string) {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "plan.json")
	args := append([]string{"plan", "--key", lingeringKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", path}, extra...)
	for _, k := range keeps {
		args = append(args, "--keep", k)
	}
	if code, _, stderr := s.lockdown(args...); code != exitOK {
		s.t.Fatalf("plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	args = append([]string{"apply", path, "--live", "--confirm", lingeringAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(s.t.TempDir(), "secrets")}, extra...)
	code, _, stderr := s.lockdown(args...)
	return code, stderr
}

func TestEveryStepButClosingTheExposureLeavesTheAttackersDoorsAndVerifyNamesEach(t *testing.T) {
	t.Parallel()
	s := startLingeringForCLI(t)
	code, stderr := s.planAndApply(lingeringKeeps, "--runbook", runbookWithout(t, "close-exposure"))
	if code != exitPartial || !strings.Contains(stderr, "verify-contained: not contained") {
		t.Fatalf("apply of every step but the exposure step exited %d:\n%s", code, stderr)
	}
	code, v, _ := s.verifyJSONFor(lingeringKey)
	// The scenario's logging side is left to the operator by hand; this test is about exposure.
	var exposure []string
	for _, item := range failing(v) {
		if slices.ContainsFunc(exposureChecks, func(check string) bool { return strings.HasPrefix(item, check+" ") }) {
			exposure = append(exposure, item)
		}
	}
	got := strings.Join(exposure, "\n")
	if code != exitPartial || got != strings.Join(slices.Sorted(slices.Values(lingeringDoors)), "\n") {
		t.Fatalf("verify exited %d listing:\n%s\nwant 3 with exactly the attacker's doors:\n%s", code, got, strings.Join(slices.Sorted(slices.Values(lingeringDoors)), "\n"))
	}
	for _, c := range v.Checks {
		if c.Open() && slices.Contains(exposureChecks[:3], c.Check) && c.HandledBy != "Close what the attacker opened" {
			t.Errorf("%s %s is handled by %q", c.Check, c.Item, c.HandledBy)
		}
	}

	// The whole runbook closes them; the bucket the attacker's account reads is the operator's to
	// fix by hand, and their word that it is done settles it. The team's doors stay kept: those
	// decisions are in the journal already.
	bucket := []string{"verify-contained:c1d27660-b76f-b734-45e6-01bb38ebe5b8:bucket policy removed by hand, SEC-20"}
	bucket = append(bucket, lingeringLoggingKeeps...)
	if code, stderr := s.planAndApply(bucket); code != exitOK {
		t.Fatalf("apply of the whole runbook exited %d:\n%s", code, stderr)
	}
	code, v, stderr = s.verifyJSONFor(lingeringKey)
	if code != exitOK || !v.Contained || v.Kept != len(lingeringKeeps)+len(bucket) {
		t.Fatalf("verify after the whole runbook exited %d (contained %v, %d kept): %v\n%s", code, v.Contained, v.Kept, failing(v), stderr)
	}
	for _, c := range v.Checks {
		if strings.Contains(c.Item, "sgr-0a77ac4e2000000a1") && (c.Result != steps.VerifyPass || !strings.Contains(c.Evidence, "revoked")) {
			t.Errorf("the attacker's SSH rule reads %+v; want a pass saying it was revoked", c)
		}
	}
}
