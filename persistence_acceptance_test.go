package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
	"lockdown/review"
)

const persistenceLeakedKey = "AKIAEXAMPLELEAKED002"

// TestPersistenceScenarioPlanApplyPlanVerify is the persistence hunt's acceptance, in one run of
// the command line against the built-in persistence scenario: the plan lists every planted item
// with its reason and sends no change (seen on the wire); apply of that plan carries it out; a
// second plan proposes nothing for the items; verify exits 0.
func TestPersistenceScenarioPlanApplyPlanVerify(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "persistence", time.Now().UTC())
	wire := s.Watch(t)
	cli := &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
	since := s.Server.IncidentStart().Format(time.RFC3339)
	planned := func(name string) (*review.PlanDocument, string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), name)
		code, _, stderr := cli.lockdown("plan", "--key", persistenceLeakedKey, "--since", since, "-o", path)
		if code != exitOK {
			t.Fatalf("lockdown plan exited %d:\n%s", code, stderr)
		}
		doc, err := review.ReadPlanFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return doc, path
	}

	doc, path := planned("plan.json")
	if sent := cli.mutating(); len(sent) != 0 {
		t.Fatalf("the plan (a dry run) sent %d mutating requests, first %+v", len(sent), sent[0])
	}
	// Each planted item, by the step that undoes it, with the words its reason must hold.
	planted := []struct{ step, target, reason string }{
		{"restore-logging", "management-events", "after T0"},
		{"restore-logging", "us-east-1", "after T0"},
		{"delete-key-pairs", "ops-recovery", "after T0"},
		{"remove-iam-persistence", "arn:aws:iam::444455556666:policy/ci-deploy", "by the attacker: CreatePolicyVersion by " + persistenceLeakedKey},
		{"remove-iam-persistence", "arn:aws:iam::444455556666:oidc-provider/tokens.build-cache.example.net", "by the attacker: CreateOpenIDConnectProvider"},
		{"remove-iam-persistence", "svc-reports", "by the attacker: CreateLoginProfile"},
		{"remove-iam-persistence", "dev-kim", "by the attacker: EnableMFADevice"},
		{"remove-iam-persistence", "app-deployer", "by the attacker: PutRolePolicy"},
		{"require-password-reset", "dev-kim", "new console password"},
	}
	for _, p := range planted {
		if !planHas(doc, p.step, p.target, p.reason) {
			t.Errorf("the plan's step %s has no change on %s saying %q:\n%s", p.step, p.target, p.reason, planChanges(doc, p.step))
		}
	}

	secrets := filepath.Join(t.TempDir(), "new-keys.ini")
	code, _, stderr := cli.lockdown("apply", path, "--live", "--confirm", "444455556666", "--secrets-file", secrets)
	if code != exitOK {
		t.Fatalf("apply exited %d:\n%s", code, stderr)
	}

	again, _ := planned("plan-again.json")
	for _, step := range []string{"restore-logging", "delete-key-pairs", "remove-iam-persistence", "require-password-reset", "terminate-instances"} {
		if changes := planChanges(again, step); changes != "" {
			t.Errorf("after the apply, the second plan still proposes in %s:\n%s", step, changes)
		}
	}

	code, v, stderr := cli.verifyJSONFor(persistenceLeakedKey)
	if code != exitOK || !v.Contained {
		t.Errorf("verify exited %d, contained=%v, failing %v:\n%s", code, v.Contained, failing(v), stderr)
	}
}

// planHas reports whether step plans a change on target whose summary says reason.
func planHas(doc *review.PlanDocument, step, target, reason string) bool {
	for _, s := range doc.Steps {
		for _, c := range s.Changes {
			if s.Step == step && (c.Target == target || c.Region == target || strings.Contains(c.Target, target)) && strings.Contains(c.Summary, reason) {
				return true
			}
		}
	}
	return false
}

// planChanges lists a step's planned changes, one a line.
func planChanges(doc *review.PlanDocument, step string) string {
	var out []string
	for _, s := range doc.Steps {
		if s.Step != step {
			continue
		}
		for _, c := range s.Changes {
			out = append(out, c.Op+" "+c.Target+": "+c.Summary)
		}
	}
	return strings.Join(out, "\n")
}
