package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	journalStart   = `{"time":"2026-11-28T03:00:00Z","incident":"i","mode":"live","account":"111122223333","kind":"run-start","data":{"runbook":"compromised-account"}}`
	journalRunning = `{"time":"2026-11-28T03:01:00Z","incident":"i","step":"terminate","kind":"state","message":"running","data":{"state":"running"}}`
	journalDone    = `{"time":"2026-11-28T03:02:00Z","incident":"i","step":"confirm","kind":"state","message":"done","data":{"state":"done"}}`
)

func TestReportExitsNonZeroUnlessTheIncidentFinishedCleanly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, journal string
		code          int
		stdout        string // the report itself says why, not only stderr
	}{
		{"finished", journalStart + "\n" + journalDone + "\n", exitOK, "## confirm — done"},
		{"a step left running by a kill", journalStart + "\n" + journalDone + "\n" + journalRunning + "\n", exitPartial,
			"step terminate was still running when lockdown stopped"},
		{"a corrupt line in the middle", journalStart + "\nnot json\n" + journalDone + "\n", exitPartial,
			"journal line 2 could not be read"},
		{"a torn last line is only a note", journalStart + "\n" + journalDone + "\n" + journalDone[:30], exitOK,
			"Note: the journal's last line (3) was cut short"},
		{"an empty file is not a journal", "", exitFailed, ""},
		{"a plan file is not a journal", "{\n  \"version\": 1\n}\n", exitFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "i.jsonl")
			if err := os.WriteFile(path, []byte(tt.journal), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run([]string{"report", path}, &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("report lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if tt.code == exitFailed && !strings.Contains(stderr.String(), "not a lockdown journal") {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
}

func TestTwoRunsStartedInTheSameSecondWriteTwoJournals(t *testing.T) {
	t.Parallel()
	g := &Globals{Journal: t.TempDir()}
	_, first, err := g.incidentFile("live")
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := g.incidentFile("live")
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatalf("both runs got incident %s", first)
	}
}
