package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateTellsScenariosFromRunbooksAndPlacesEveryProblem(t *testing.T) {
	t.Parallel()
	scenario := func(name string) string { return filepath.Join("testdata", "scenarios", name) }
	runbook := func(name string) string { return filepath.Join("testdata", "runbooks", name) }
	tests := []struct {
		name   string
		files  []string
		code   int
		stdout []string
		stderr []string
	}{
		{"a broken scenario names each unknown key at its place with the closest known one",
			[]string{scenario("bad-unknown-keys.yaml")}, exitFailed, nil, []string{
				scenario("bad-unknown-keys.yaml") + `:4:1: unknown key "seeed" at the top of the scenario (did you mean "seed"?)`,
				scenario("bad-unknown-keys.yaml") + `:9:7: unknown key "craeted" in iam.users[0] (did you mean "created"?)`,
				"1 of 1 files have problems"}},
		{"a scenario's wrong value is placed where it is",
			[]string{scenario("bad-difficulty.yaml")}, exitFailed, nil, []string{
				scenario("bad-difficulty.yaml") + `:2:13: difficulty: must be one of easy, medium, hard, got "trivial"`}},
		{"a good scenario and a good runbook are each read as what they are",
			[]string{scenario("good-minimal.yaml"), runbook("good-minimal.yaml")}, exitOK, []string{
				scenario("good-minimal.yaml") + `: ok: scenario "minimal" (easy), 3 instances in 3 regions, 1 IAM users`,
				runbook("good-minimal.yaml") + `: ok: runbook`}, nil},
		{"a broken runbook is still checked as a runbook",
			[]string{runbook("bad-unknown-key.yaml")}, exitFailed, nil, []string{runbook("bad-unknown-key.yaml") + ":"}},
		{"without files the built-in runbooks and scenarios are checked",
			nil, exitOK, []string{"builtin:compromised-account: ok: runbook", "builtin:crypto-miner: ok: scenario", "builtin:large-noisy: ok: scenario"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"validate"}, tt.files...), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}
