package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/review"
	"lockdown/steps"
)

func TestARegionDeniedByPolicyCanBeLeftOutOfPlanAndApply(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	if err := s.srv.AddFault(sim.Fault{Region: "eu-north-1", Service: "ec2", Deny: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339),
		"--skip-regions", "eu-north-1", "-o", path)
	if code != exitOK {
		t.Fatalf("a plan that leaves the denied region out should not fail, exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Regions left out (--skip-regions): eu-north-1") {
		t.Errorf("the summary should show the region left out:\n%s", stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.SkipRegions) != 1 || doc.SkipRegions[0] != "eu-north-1" {
		t.Errorf("the plan should record the region left out, got %v", doc.SkipRegions)
	}
	terminate := plannedStep(t, doc, "terminate-instances")
	for _, c := range terminate.Changes {
		if c.Region == "eu-north-1" {
			t.Errorf("a change was planned in the region left out: %s", c.ID)
		}
	}
	if !hasOp(terminate.Changes, steps.OpTerminate) {
		t.Fatalf("the other regions' miners should still be planned: %+v", terminate)
	}

	code, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "s"))
	if !strings.Contains(stderr, "Regions left out: eu-north-1") || strings.Contains(stderr, "eu-north-1       FAILED") {
		t.Errorf("apply should leave the region out as the plan did (exit %d):\n%s", code, stderr)
	}
	for _, c := range terminate.Changes {
		if c.Op == steps.OpTerminate && c.Region == "us-west-2" && s.instanceStates()[c.Target] != "terminated" {
			t.Errorf("the reviewed miner %s in us-west-2 is %s", c.Target, s.instanceStates()[c.Target])
		}
	}
}

func TestApplyLeavingOutAReviewedRegionFailsItsChangesAsUnknown(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--skip-regions", "us-west-2", "--secrets-file", filepath.Join(t.TempDir(), "s"))
	if code != exitPartial || !strings.Contains(stderr, "NOT applied, unknown: ec2:TerminateInstances") {
		t.Fatalf("exit %d; the reviewed terminations in the region left out should be unknown, not applied:\n%s", code, stderr)
	}
	for _, in := range s.srv.EC2Instances("us-west-2") {
		if in.State == "terminated" {
			t.Errorf("%s in the region left out was terminated", in.ID)
		}
	}
}
