package runbooks

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

const traceRunYAML = `
id: traced
title: Traced
steps:
  - id: trace
    title: Trace the attacker
    action: cloudtrail.trace
  - id: scan
    title: Find rogue instances
    action: ec2.find-rogue-instances
`

// TestTheTraceStepsEvidenceReachesTheStepsAfterItAndItsOpenItemsTheReport: the steps after the
// trace judge by what it found, and what it left to the operator is in the report's open items.
func TestTheTraceStepsEvidenceReachesTheStepsAfterItAndItsOpenItemsTheReport(t *testing.T) {
	ctx := context.Background()
	evidence := &steps.TraceEvidence{Why: "stands in for a footprint"}
	manual := "undo by hand: AuthorizeSecurityGroupIngress on security group sg-1 (arn:aws:ec2:us-west-2:111122223333:security-group/sg-1)"
	trace := &fakeAction{spec: steps.Spec{Name: steps.TraceActionName, ReadOnly: true}, inspect: func(*steps.Env) (*steps.Inspection, error) {
		return &steps.Inspection{Summary: "traced", OpenItems: []string{manual}, Data: &steps.TraceFindings{Evidence: evidence}}, nil
	}}
	scan := &fakeAction{spec: steps.Spec{Name: "ec2.find-rogue-instances", ReadOnly: true}}
	reg := steps.NewRegistry(trace, scan)
	rb, err := Parse("traced.yaml", []byte(traceRunYAML), reg)
	if err != nil {
		t.Fatal(err)
	}
	j := openTestJournal(t)
	clock := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	r, err := NewRun(Config{Runbook: rb, Registry: reg, Journal: j, Account: testAccount(t, steps.DryRun),
		Env: steps.Env{Since: clock.Add(-6 * time.Hour), Now: func() time.Time { return clock }}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Inspect(ctx, "scan", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := scan.lastEnv().Trace; got != nil {
		t.Fatalf("before the trace ran the scan was handed evidence %+v", got)
	}
	if _, err := r.Inspect(ctx, "trace", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Inspect(ctx, "scan", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := scan.lastEnv().Trace; got != evidence {
		t.Fatalf("after the trace the scan was handed %+v, want the trace's evidence", got)
	}
	entries, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	rep := BuildReport(entries)
	if !slices.Equal(rep.OpenItems, []string{manual}) {
		t.Errorf("report open items %q, want the trace's manual item", rep.OpenItems)
	}
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "Open items (by hand):\n\n- "+manual) {
		t.Errorf("the markdown report does not list the open item:\n%s", md.String())
	}
}
