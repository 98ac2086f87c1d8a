package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"lockdown/runbooks"
	"lockdown/steps"
)

func TestTheDebriefOrdersStepsByWhenTheyWereFirstDone(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	step := func(id string) *runbooks.Step { return &runbooks.Step{ID: id, Title: "step " + id} }
	statuses := []runbooks.StepStatus{
		{Step: step("confirm"), State: runbooks.StateDone},
		{Step: step("inventory"), State: runbooks.StatePending},
		{Step: step("contain"), State: runbooks.StateDone},
		{Step: step("scan"), State: runbooks.StateDone},
	}
	state := func(id string, at time.Duration, s runbooks.StepState) runbooks.Entry {
		return runbooks.Entry{Time: start.Add(at), Step: id, Kind: runbooks.KindState, Message: string(s)}
	}
	entries := []runbooks.Entry{
		state("contain", time.Minute, runbooks.StateRunning),
		state("contain", 2*time.Minute, runbooks.StateDone),
		state("confirm", 3*time.Minute, runbooks.StateDone),
		state("scan", 4*time.Minute, runbooks.StateDone),
		state("contain", 9*time.Minute, runbooks.StateDone), // done again later: the first time counts
	}
	var out bytes.Buffer
	writeSteps(&out, start, statuses, firstSettled(entries))
	got := out.String()
	order := []string{"step contain", "step confirm", "step scan", "step inventory"}
	last := -1
	for _, title := range order {
		i := strings.Index(got, title)
		if i < last {
			t.Fatalf("the debrief does not list steps by when they were first done (%v):\n%s", order, got)
		}
		last = i
	}
	if !strings.Contains(got, "first at +2m0s") {
		t.Errorf("contain is not timed at its first completion:\n%s", got)
	}
}

func TestTheDebriefSaysContainedOnlyAfterAPassingVerificationAndPaintsWhatRemains(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	red := func(s string) string { return "<red>" + s + "</red>" }
	var none bytes.Buffer
	writeContainment(&none, red, start, runbooks.ContainmentOf(nil, nil))
	if !strings.Contains(none.String(), "Is the attacker out? <red>not verified") {
		t.Errorf("a drill without a verification:\n%s", none.String())
	}

	remaining := runbooks.Containment{Verdict: runbooks.NotContained, Step: "Verify: is the attacker out?", At: start.Add(20 * time.Minute),
		Remaining: []steps.VerifyCheck{{Check: "new access keys", Item: "billing-reports/AKIAEXAMPLEBACKDOOR2", Result: steps.VerifyFail,
			Evidence: "created 2026-11-28 01:00Z and still Active", HandledBy: "Deactivate keys the attacker added"}}}
	var out bytes.Buffer
	writeContainment(&out, red, start, remaining)
	for _, want := range []string{
		"Is the attacker out? <red>not contained: the verification (Verify: is the attacker out?)",
		"(Verify: is the attacker out?) at +20m0s found 1 item remaining",
		"<red>new access keys billing-reports/AKIAEXAMPLEBACKDOOR2: fail (created 2026-11-28 01:00Z and still Active) — handled by: Deactivate keys the attacker added</red>",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("debrief lacks %q:\n%s", want, out.String())
		}
	}
	var ok bytes.Buffer
	writeContainment(&ok, red, start, runbooks.Containment{Verdict: runbooks.Contained, Step: "Verify: is the attacker out?", At: start})
	if !strings.Contains(ok.String(), "Is the attacker out? contained: ") || strings.Contains(ok.String(), "<red>") {
		t.Errorf("a passing verification:\n%s", ok.String())
	}
}
