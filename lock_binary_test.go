package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"lockdown/aws/wiretest"
	"lockdown/review"
	"lockdown/runbooks"
)

func TestASecondApplyOfThePlanStopsBeforeSendingAnythingAndSaysWhoIsApplyingIt(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	// The first apply's first call never answers: it holds the plan as long as the test wants.
	r.wire.SetRules(wiretest.Rule{Fault: wiretest.Hang()})
	first := exec.Command(r.l.bin, r.applyArgs("secrets-1")...)
	first.Env, first.Dir = r.l.env, r.l.root
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Process.Kill(); _ = first.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for len(r.wire.Requests()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first apply sent nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sentByFirst := len(r.wire.Requests())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, r.l.bin, r.applyArgs("secrets-2")...)
	second.Env, second.Dir = r.l.env, r.l.root
	out, err := second.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	}
	t.Logf("the second apply exited %d:\n%s", code, out)
	if code != exitFailed {
		t.Errorf("the second apply exited %d, want %d", code, exitFailed)
	}
	for _, want := range []string{"process " + strconv.Itoa(first.Process.Pid), "on host ", "started ", "nothing was sent"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the second apply does not say %q", want)
		}
	}
	if n := len(r.wire.Requests()); n != sentByFirst {
		t.Errorf("the second apply sent %d requests", n-sentByFirst)
	}
	if _, err := os.Stat(filepath.Join(r.l.root, "secrets-2")); err == nil {
		t.Error("the second apply made its secrets file")
	}

	// Killed, the first apply holds nothing any more: the next one may take the plan.
	_ = first.Process.Kill()
	_ = first.Wait()
	doc, err := review.ReadPlanFile(r.plan)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := runbooks.TakeLock(filepath.Join(r.l.root, "journal"), "apply-"+strings.TrimPrefix(doc.Digest(), "sha256:"), "the next apply")
	if err != nil {
		t.Fatalf("after the first apply was killed, its plan is still held: %v", err)
	}
	_ = lock.Release()
}
