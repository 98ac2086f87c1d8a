package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/debrief"
)

func TestABadPaceIsAUsageErrorThatSaysWhatAPaceLooksLike(t *testing.T) {
	t.Parallel()
	for pace, want := range map[string]string{
		"fast": `--pace: pace "fast" is not a speed such as 1x, 2.5x or 10x`,
		"500x": `--pace: pace "500x" is out of range: from 1x (real time) to 60x`,
	} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"drill", "--pace", pace}, &stdout, &stderr); code != exitUsage {
			t.Errorf("--pace %s: exit %d, want %d; stderr: %s", pace, code, exitUsage, stderr.String())
		}
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--pace %s: stderr %q lacks %q", pace, stderr.String(), want)
		}
	}
}

func TestTheReportOfADrillJournalIncludesItsScoredDebrief(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "20261128-030000-drill.jsonl")
	if err := os.WriteFile(path, []byte(journalStart+"\n"+journalDone+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	d := debrief.Build(debrief.Facts{Scenario: "crypto-miner", Pace: 10, Briefing: start, End: start.Add(time.Hour),
		Par: sim.ParTimes{KeyInactive: 5 * time.Minute}})
	written, err := d.WriteFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if written != strings.TrimSuffix(path, ".jsonl")+".debrief.md" {
		t.Errorf("the debrief was written to %s, not beside the journal", written)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"report", path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
	report := stdout.String()
	stdout.Reset()
	if code := run([]string{"report", "--json", path}, &stdout, &stderr); code != exitOK {
		t.Fatalf("--json: exit %d; stderr: %s", code, stderr.String())
	}
	var doc struct {
		Runbook      string `json:"runbook"`
		DrillDebrief string `json:"drill_debrief"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || !strings.HasPrefix(doc.DrillDebrief, "## Drill debrief: crypto-miner") {
		t.Errorf("the JSON report's drill_debrief is %.60q (%v)", doc.DrillDebrief, err)
	}
	for _, want := range []string{"## confirm — done", "## Drill debrief: crypto-miner at pace 10x, 6m00s from the briefing",
		"**Score: 0/100 against the scenario's par times**"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}
