package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/review"
	"lockdown/steps"
)

func TestPlanWritesTheStepsChangesAndSendsNoChangeEvenWithLive(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr := s.lockdown("plan", "--live", "--key", simLeakedKey,
		"--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", path)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("with -o nothing belongs on stdout, got:\n%s", stdout)
	}
	if m := s.mutating(); len(m) > 0 {
		t.Fatalf("plan sent %d changes to the account, first %s %s", len(m), m[0].Service, m[0].Action)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Account != simAccount || doc.Principal == "" || doc.Runbook != "compromised-account" || doc.Since == "" {
		t.Errorf("plan header is %+v", doc)
	}
	contain := plannedStep(t, doc, "contain-key")
	if contain.Status != review.PlanPlanned || len(contain.Changes) == 0 || contain.Changes[0].Target != simLeakedKey {
		t.Errorf("contain-key should deactivate the leaked key first: %+v", contain)
	}
	for _, r := range contain.DryRunResults {
		if r.Status != steps.StatusWouldApply {
			t.Errorf("contain-key dry-run check %s is %s, want would-apply", r.ChangeID, r.Status)
		}
	}
	if inv := plannedStep(t, doc, "credential-inventory"); inv.Status != review.PlanInspected || len(inv.Changes) > 0 {
		t.Errorf("the inventory only reads: %+v", inv)
	}
	terminate := plannedStep(t, doc, "terminate-instances")
	if terminate.Status != review.PlanPlanned || !hasOp(terminate.Changes, steps.OpTerminate) || len(terminate.Selected) == 0 {
		t.Errorf("terminate-instances should plan terminations of the selected instances: %+v", terminate)
	}
	if root := plannedStep(t, doc, "root-hardening"); root.Status != review.PlanManual || len(root.ManualChecklist) == 0 {
		t.Errorf("the manual step should carry its checklist: %+v", root)
	}
	if !strings.Contains(stderr, "changes planned; nothing was changed") {
		t.Errorf("stderr lacks the summary:\n%s", stderr)
	}
}

func TestPlanFileIsPrivateAndNeverOverwritten(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, _ := s.plan()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode is %v, want 0600", info.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "-o", path)
	if code != exitUsage || !strings.Contains(stderr, "already exists") {
		t.Fatalf("a second plan to the same file should be refused with exit 2, got %d:\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("the reviewed plan was overwritten")
	}
}

func TestPlanWithoutKeyLeavesContainmentNotPlannedAndSaysWhy(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	code, stdout, stderr := s.lockdown("plan")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var doc review.PlanDocument
	if err := jsonUnmarshal(stdout, &doc); err != nil {
		t.Fatalf("stdout is not one plan document: %v", err)
	}
	contain := plannedStep(t, &doc, "contain-key")
	if contain.Status != review.PlanNotPlanned || !strings.Contains(contain.Reason, "needs --key") {
		t.Errorf("contain-key without --key: %+v", contain)
	}
	if m := s.mutating(); len(m) > 0 {
		t.Fatalf("plan sent %s %s", m[0].Service, m[0].Action)
	}
}

func hasOp(changes []steps.Change, op string) bool {
	for _, c := range changes {
		if c.Op == op {
			return true
		}
	}
	return false
}

func TestPlanRefusesASecretPastedAsTheKeyAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	pasted := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	code, stdout, stderr := s.lockdown("plan", "--key", pasted, "-o", path)
	if code != exitUsage || !strings.Contains(stderr, "secret access key") {
		t.Fatalf("exit %d, want %d:\n%s", code, exitUsage, stderr)
	}
	if strings.Contains(stdout+stderr, pasted) {
		t.Fatal("the pasted secret was printed")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a plan was written with a secret for a key id")
	}
}
