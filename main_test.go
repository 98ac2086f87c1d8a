package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCommandLineErrorsExitWithUsageCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown subcommand is a usage error", []string{"frobnicate"}, "unexpected argument frobnicate"},
		{"an unknown flag is a usage error", []string{"version", "--frobnicate"}, "unknown flag --frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != exitUsage {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Fatalf("stderr %q must contain %q and stdout must be empty (got %q)", stderr.String(), tt.want, stdout.String())
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout.String(), "--live") {
		t.Fatalf("help does not mention --live:\n%s", stdout.String())
	}
}

func TestSinceAcceptsRFC3339AndDurationsBeforeNow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Time
		wantErr  bool
	}{
		{"empty means unknown", "", time.Time{}, false},
		{"a duration counts back from now", "6h", now.Add(-6 * time.Hour), false},
		{"an RFC 3339 time is taken as is", "2026-11-28T03:00:00Z", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), false},
		{"a future time is refused", "2026-11-29T03:00:00Z", time.Time{}, true},
		{"nonsense is refused", "yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSince(tt.in, now)
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Fatalf("parseSince(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

func TestResumingPinsTheJournalsAccountAndRefusesAnother(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "incident-1.jsonl")
	line := `{"time":"2026-11-28T03:00:00Z","incident":"incident-1","mode":"live","account":"111122223333","kind":"run-start","data":{"runbook":"compromised-account","since":"2026-11-28T01:00:00Z"}}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &Globals{}
	if err := g.readPriorIncident(path); err != nil {
		t.Fatal(err)
	}
	if g.Account != "111122223333" || g.resumeFrom.incident != "incident-1" || g.resumeFrom.dir != dir {
		t.Fatalf("resume read as account %q, %+v", g.Account, g.resumeFrom)
	}
	if got := g.resumeFrom.since(); !got.Equal(time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("since %v", got)
	}
	other := &Globals{Account: "000000000000"}
	err := other.readPriorIncident(path)
	if err == nil || !strings.Contains(err.Error(), "111122223333") || !strings.Contains(err.Error(), "000000000000") {
		t.Fatalf("resuming into another account must be refused naming both, got %v", err)
	}
}
