package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/wiretest"
	"lockdown/runbooks"
	"lockdown/steps"
)

// TestApplyGivesUpOnWhatIsUnsettledAtItsDeadline: with a region whose EC2 never answers and a
// call timeout longer than the whole deadline, apply says at the start when it will give up,
// returns at that time, reports that region's changes unknown with the deadline as the cause,
// journals every change it began, and exits 3.
func TestApplyGivesUpOnWhatIsUnsettledAtItsDeadline(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	proxy := wiretest.StartProxy(t, s.url, wiretest.Rule{Region: "eu-north-1", Service: "ec2", Fault: wiretest.Hang()})
	const deadline = 4 * time.Second
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := runAsResponder(s.srv, []string{"apply", path, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(t.TempDir(), "secrets"),
		"--endpoint-url", proxy.URL, "--journal", s.journal, "--deadline", deadline.String(), "--call-timeout", "30s"}, &stdout, &stderr)
	took := time.Since(start)
	out := stderr.String()
	t.Logf("apply exited %d after %s:\n%s", code, took, out)
	if code != exitPartial {
		t.Errorf("exit %d, want 3: the deadline left changes unsettled", code)
	}
	if took > deadline+5*time.Second {
		t.Errorf("apply returned %s after it started, with a deadline of %s", took, deadline)
	}
	if !strings.Contains(out, "will give up on what is unsettled at") {
		t.Error("the deadline is not stated at the start")
	}
	for _, c := range plannedStep(t, doc, "terminate-instances").Changes {
		if c.Op == steps.OpTerminate && c.Region == "eu-north-1" &&
			!lineWith(out, "NOT applied, unknown: ec2:TerminateInstances "+c.Target, "deadline passed") {
			t.Errorf("%s in the silent region is not reported unknown for the deadline", c.Target)
		}
	}
	for _, p := range runbooks.PendingChanges(s.newestLiveJournal()) {
		if p.Outcome == "" {
			t.Errorf("a change was begun and never settled in the journal: %+v", p)
		}
	}
	if code, _, _ := s.lockdown("report", s.newestLiveJournalPath()); code != exitPartial {
		t.Errorf("report of an apply cut by its deadline exits %d, want 3", code)
	}
}

// lineWith reports whether one line of out holds every part.
func lineWith(out string, parts ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
