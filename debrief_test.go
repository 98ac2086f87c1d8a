package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

func TestTheDebriefSaysHowLongEachAttackerKeyKeptWorking(t *testing.T) {
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	attacks := []sim.AttackRecord{
		{Time: start.Add(2 * time.Minute), AccessKeyID: "AKIAEXAMPLELEAKED001"},
		{Time: start.Add(7 * time.Minute), AccessKeyID: "AKIAEXAMPLELEAKED001", Code: "InvalidClientTokenId"},
		{Time: start.Add(20 * time.Minute), AccessKeyID: "AKIAEXAMPLEBACKDOOR1"},
	}
	var out bytes.Buffer
	writeAttacks(&out, start, attacks)
	for _, want := range []string{
		"Attacker with AKIAEXAMPLELEAKED001: 1 call worked (the last at +2m0s), 1 refused (from +7m0s)",
		"Attacker with AKIAEXAMPLEBACKDOOR1: 1 call worked (the last at +20m0s), 0 refused",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("debrief lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTheDebriefOrdersStepsByWhenTheyWereFirstDone(t *testing.T) {
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
