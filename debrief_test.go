package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
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
		"Attacker with AKIAEXAMPLELEAKED001: 1 calls worked (the last at +2m0s), 1 refused (from +7m0s)",
		"Attacker with AKIAEXAMPLEBACKDOOR1: 1 calls worked (the last at +20m0s), 0 refused",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("debrief lacks %q:\n%s", want, out.String())
		}
	}
}
