package review

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockdown/steps"
)

func samplePlan() *PlanDocument {
	return &PlanDocument{Version: PlanVersion, Account: "111122223333", Principal: "arn:aws:iam::111122223333:user/responder",
		Created: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), Runbook: "compromised-account",
		Steps: []PlanStep{{Step: "terminate-instances", Title: "Terminate", Status: PlanPlanned, Selected: []string{"i-1"},
			Inputs:  map[string]string{"b": "2", "a": "1"},
			Changes: []steps.Change{{ID: "TerminateInstances/us-west-2/i-1", Op: steps.OpTerminate, Region: "us-west-2", Target: "i-1", Summary: "terminate i-1"}}}}}
}

func TestTheDigestCoversEveryByteOfThePlanFile(t *testing.T) {
	doc := samplePlan()
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := CreatePlanFile(path, doc); err != nil {
		t.Fatal(err)
	}
	written, err := ReadPlanFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if written.Digest() != doc.Digest() {
		t.Fatalf("the file plan wrote has digest %s, but plan printed %s", written.Digest(), doc.Digest())
	}
	indented, _ := os.ReadFile(path)
	var compact bytes.Buffer
	if err := json.Compact(&compact, indented); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string][]byte{
		"laid out otherwise":        compact.Bytes(),
		"with white space after it": append(bytes.Clone(indented), "\n\n"...),
	} {
		other := filepath.Join(dir, "other.json")
		os.Remove(other)
		if err := os.WriteFile(other, text, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := ReadPlanFile(other)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Digest() == doc.Digest() {
			t.Errorf("the plan %s has the reviewed plan's digest", name)
		}
	}
	edited := samplePlan()
	edited.Steps[0].Selected = append(edited.Steps[0].Selected, "i-2")
	if edited.Digest() == doc.Digest() {
		t.Error("adding an instance to the selection did not change the digest")
	}
	if !SameDigest(doc.Digest(), doc.Digest()) || !SameDigest(doc.Digest()[len("sha256:"):], doc.Digest()) || SameDigest(edited.Digest(), doc.Digest()) {
		t.Error("SameDigest should accept the digest with or without its prefix, and only that digest")
	}
}

func TestChoicesAreParsedWithTheirReasonAndRequireOne(t *testing.T) {
	step, c, err := ParseChoice("terminate-instances:i-0abc:mines bitcoin: seen by hand")
	if err != nil || step != "terminate-instances" || c.ID != "i-0abc" || c.Reason != "mines bitcoin: seen by hand" || !c.OperatorChoice {
		t.Fatalf("got %q %+v %v", step, c, err)
	}
	for _, bad := range []string{"terminate-instances:i-0abc", "terminate-instances:i-0abc: ", "i-0abc"} {
		if _, _, err := ParseChoice(bad); err == nil {
			t.Errorf("--choose %q has no reason and was accepted", bad)
		}
	}
}

func TestASelectionAgainstTheVerdictIsFlaggedUnlessItIsTheOperatorsChoice(t *testing.T) {
	table := &steps.Table{Selectable: true, Rows: []steps.Row{
		{ID: "i-rogue", Tone: steps.ToneRogue, Selected: true},
		{ID: "i-web", Tone: steps.ToneOK, Reasons: []string{"launched before T0"}},
	}}
	ps := &PlanStep{Selected: []string{"i-rogue", "i-web"}}
	if got := againstVerdict(ps, table, ps.Selected, nil); len(got) != 1 || got[0] != "i-web is judged ok (launched before T0)" {
		t.Errorf("a healthy instance in the selection should be flagged, got %q", got)
	}
	ps.Choices = []Choice{{ID: "i-web", OperatorChoice: true, Reason: "compromised AMI"}}
	if got := againstVerdict(ps, table, ps.Selected, nil); len(got) != 0 {
		t.Errorf("the operator's explicit choice should be accepted, got %q", got)
	}
	ps.Choices[0].OperatorChoice = false
	if got := againstVerdict(ps, table, ps.Selected, nil); len(got) != 1 {
		t.Errorf("a choice without operator_choice true is no choice, got %q", got)
	}
}
