package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/review"
	"lockdown/runbooks"
	"lockdown/steps"
)

// addHealthyInstanceByHand edits the plan as someone with write access to it could: one more
// instance, judged ok by lockdown, in the termination step's selection and changes.
func addHealthyInstanceByHand(t *testing.T, s *simAccountForCLI, path string, doc *review.PlanDocument) sim.EC2Instance {
	t.Helper()
	ps := plannedStep(t, doc, "terminate-instances")
	for _, in := range s.srv.EC2Instances("us-east-1") {
		if in.State != "running" || in.Protected || slices.Contains(ps.Selected, in.ID) {
			continue
		}
		ps.Selected = append(ps.Selected, in.ID)
		ps.Changes = append(ps.Changes, steps.Change{ID: "TerminateInstances/" + in.Region + "/" + in.ID, Op: steps.OpTerminate,
			Region: in.Region, Target: in.ID, Summary: "terminate " + in.ID, Destructive: true})
		writePlan(t, path, doc)
		return in
	}
	t.Fatal("the scenario has no healthy running instance")
	return sim.EC2Instance{}
}

func TestApplyRefusesAHealthyInstanceAddedToThePlanByHandWhateverTheDigest(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	healthy := addHealthyInstanceByHand(t, s, path, doc)
	edited, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, digest := range []string{"", edited.Digest()} {
		t.Run("digest "+digest, func(t *testing.T) {
			args := []string{"apply", path, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(t.TempDir(), "s")}
			if digest != "" {
				args = append(args, "--plan-digest", digest)
			}
			code, _, stderr := s.lockdown(args...)
			if code != exitPartial || !strings.Contains(stderr, "REFUSED") || !strings.Contains(stderr, healthy.ID+" is judged ok") {
				t.Fatalf("exit %d; apply should refuse the step naming %s as judged ok:\n%s", code, healthy.ID, stderr)
			}
			if state := s.instanceStates()[healthy.ID]; state != "running" {
				t.Fatalf("the healthy instance added by hand is %s", state)
			}
		})
	}
}

func TestApplyRefusesAPlanWhoseDigestIsNotTheReviewedOneAndSendsNothing(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	reviewed := doc.Digest()
	addHealthyInstanceByHand(t, s, path, doc)
	s.resetRequests()
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", reviewed,
		"--secrets-file", filepath.Join(t.TempDir(), "s"))
	if code != exitUsage || !strings.Contains(stderr, "not the reviewed") {
		t.Fatalf("exit %d, want 2 refusing the edited plan:\n%s", code, stderr)
	}
	if n := len(s.srv.Requests()); n > 0 {
		t.Fatalf("a plan with the wrong digest sent %d requests", n)
	}
}

func TestPlanPrintsTheDigestAndApplyWithoutOneSaysItWasNotChecked(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "-o", path)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "Plan digest: "+doc.Digest()) {
		t.Fatalf("the summary should show the plan file's digest %s:\n%s", doc.Digest(), stderr)
	}
	_, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(t.TempDir(), "s"))
	if !strings.Contains(stderr, doc.Digest()+" — NOT checked") {
		t.Errorf("apply without --plan-digest should print the digest and say it was not checked:\n%s", stderr)
	}
}

func TestAnInstanceChosenAgainstTheVerdictIsPlannedShownAndAppliedAsTheOperatorsChoice(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	var healthy sim.EC2Instance
	for _, in := range s.srv.EC2Instances("us-east-1") {
		if in.State == "running" && !in.Protected && in.Tags["team"] == "shop" {
			healthy = in
			break
		}
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format("2006-01-02T15:04:05Z07:00"),
		"--choose", "terminate-instances:"+healthy.ID+":runs the attacker's image", "-o", path)
	if code != exitOK || !strings.Contains(stderr, "OPERATOR'S CHOICE, AGAINST LOCKDOWN'S VERDICT: "+healthy.ID) {
		t.Fatalf("exit %d; the summary should show the choice loudly:\n%s", code, stderr)
	}
	doc, _ := review.ReadPlanFile(path)
	if c, ok := plannedStep(t, doc, "terminate-instances").Choice(healthy.ID); !ok || c.Reason != "runs the attacker's image" {
		t.Fatalf("the plan should carry the choice with its reason: %+v", plannedStep(t, doc, "terminate-instances").Choices)
	}
	_, _, stderr = s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "s"))
	if !strings.Contains(stderr, "OPERATOR'S CHOICE, AGAINST LOCKDOWN'S VERDICT: "+healthy.ID) {
		t.Errorf("apply should say loudly that it acts on the operator's choice:\n%s", stderr)
	}
	if state := s.instanceStates()[healthy.ID]; state != "terminated" {
		t.Errorf("the instance the operator chose is %s, want terminated", state)
	}
}

func TestApplyOfAStepThatFailedInThePlanIsAFailureNotNothingToApply(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	if err := s.srv.AddFault(sim.Fault{Service: "iam", Action: "ListUsers", Deny: true}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "-o", path); code != exitPartial {
		t.Fatalf("a plan with a denied ListUsers should exit 3, got %d:\n%s", code, stderr)
	}
	doc, _ := review.ReadPlanFile(path)
	if ps := plannedStep(t, doc, "credential-inventory"); ps.Status != review.PlanFailed {
		t.Fatalf("the inventory should have failed in the plan: %+v", ps)
	}
	journals, _ := filepath.Glob(filepath.Join(s.journal, "*-live.jsonl"))
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(t.TempDir(), "s"))
	if code != exitPartial || !strings.Contains(stderr, "credential-inventory: FAILED in the reviewed plan") {
		t.Fatalf("exit %d; apply should report the failed step as failed, not as nothing to apply:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "credential-inventory: nothing to apply") {
		t.Errorf("a failed step was passed off as nothing to apply:\n%s", stderr)
	}
	assertJournaledFailed(t, s, journals, "credential-inventory")
}

func TestApplyWithARegionThatCannotBeInspectedAgainFailsItsTerminationsInsteadOfDroppingThem(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	var lost []string
	for _, c := range plannedStep(t, doc, "terminate-instances").Changes {
		if c.Region == "eu-north-1" && c.Op == steps.OpTerminate {
			lost = append(lost, c.Target)
		}
	}
	if len(lost) == 0 {
		t.Fatal("the plan should terminate the miners in eu-north-1")
	}
	if err := s.srv.AddFault(sim.Fault{Region: "eu-north-1", Service: "ec2", Deny: true}); err != nil {
		t.Fatal(err)
	}
	journals, _ := filepath.Glob(filepath.Join(s.journal, "*-live.jsonl"))
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(t.TempDir(), "s"))
	if code != exitPartial {
		t.Fatalf("exit %d, want 3:\n%s", code, stderr)
	}
	for _, id := range lost {
		if !strings.Contains(stderr, "NOT applied, unknown: ec2:TerminateInstances "+id) {
			t.Errorf("%s in the denied region should be reported unknown, not applied:\n%s", id, stderr)
		}
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "no longer needed") && strings.Contains(line, "eu-north-1") {
			t.Errorf("a termination in a region that could not be read was called no longer needed: %s", line)
		}
	}
	assertJournaledFailed(t, s, journals, "terminate-instances")
}

// assertJournaledFailed checks that the new live journal (not one of before) records the step
// as failed, which the report counts.
func assertJournaledFailed(t *testing.T, s *simAccountForCLI, before []string, stepID string) {
	t.Helper()
	after, _ := filepath.Glob(filepath.Join(s.journal, "*-live.jsonl"))
	for _, path := range after {
		if slices.Contains(before, path) {
			continue
		}
		entries, err := runbooks.ReadJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		state := ""
		for _, e := range entries {
			if e.Step == stepID && e.Kind == runbooks.KindState {
				state = e.Message
			}
		}
		if state != string(runbooks.StateFailed) {
			t.Errorf("the journal leaves %s %q, want failed", stepID, state)
		}
		return
	}
	t.Fatal("apply wrote no new live journal")
}

func TestApplyingTheSamePlanAgainAfterAFinishedRotationTakesLockdownsNewKeyAsItsOwn(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	if code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "s")); !strings.Contains(stderr, "rotate-keys: done") {
		t.Fatalf("the first apply should rotate (exit %d):\n%s", code, stderr)
	}
	s.resetRequests()
	_, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
		"--secrets-file", filepath.Join(t.TempDir(), "s2"))
	if strings.Contains(stderr, "rotate-keys: DRIFT") || !regexp.MustCompile(`already done: +ci-deploy \(done by the apply of this plan at `).MatchString(stderr) {
		t.Fatalf("applying again should find the rotation done, not drifted:\n%s", stderr)
	}
	for _, r := range s.mutating() {
		if r.Service == "iam" && strings.Contains(r.Action, "AccessKey") {
			t.Errorf("applying again sent %s", r.Action)
		}
	}
}

func TestApplyingTheSamePlanAgainFindsTheAttackerKeyItDeactivatedDoneNotAgainstTheVerdict(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	apply := func(secrets string) (int, string) {
		code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--plan-digest", doc.Digest(),
			"--secrets-file", filepath.Join(t.TempDir(), secrets))
		return code, stderr
	}
	if _, stderr := apply("s1"); !strings.Contains(stderr, "disable-attacker-keys: applying") {
		t.Fatalf("the first apply should deactivate the attacker's key:\n%s", stderr)
	}
	// A second later, as an operator would: a change meaning "as of now" (revoking the sessions
	// issued before now) must be found done by the earlier apply, not made anew for a later now.
	time.Sleep(1100 * time.Millisecond)
	s.resetRequests()
	_, stderr := apply("s2")
	if strings.Contains(stderr, "REFUSED") || !regexp.MustCompile(`already done: +billing-reports/AKIA\w+ \(done by the apply of this plan at `).MatchString(stderr) {
		t.Errorf("applying again should find the attacker key's deactivation done:\n%s", stderr)
	}
	for _, r := range s.mutating() {
		if r.Service == "iam" {
			t.Errorf("applying again sent %s", r.Action)
		}
	}
}
