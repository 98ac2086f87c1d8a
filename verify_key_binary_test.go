package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
)

func TestVerifyWithoutTheLeakedKeyIsNotVerifiedUnlessAJournalOfTheIncidentNamesIt(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	id, secret := s.Server.ResponderCredentials()
	root := t.TempDir()
	l := newSealedLockdown(t, s.URL, root, id, secret, "")
	since := s.Server.IncidentStart().Format(time.RFC3339)
	run := func(args ...string) (int, string) {
		l.stdout.Reset()
		l.stderr.Reset()
		code := l.run(args...)
		return code, l.stdout.String() + l.stderr.String()
	}
	// The whole response, but nobody gave the leaked key: it is never contained.
	plan := filepath.Join(root, "plan.json")
	if code, out := run("plan", "--since", since, "-o", plan); code != exitOK {
		t.Fatalf("plan exited %d:\n%s", code, out)
	}
	code, out := run("apply", plan, "--live", "--confirm", simAccount, "--secrets-file", filepath.Join(root, "secrets"))
	t.Logf("apply exited %d:\n%s", code, out)
	code, out = run("verify", "--since", since)
	t.Logf("verify exited %d:\n%s", code, out)
	if code != exitPartial || !strings.Contains(out, "not verified") || strings.Contains(out, "\ncontained") {
		t.Errorf("verify without a key, the leaked key still active, exited %d and does not say not verified", code)
	}

	// A dry run given the key records it; verify then checks that key, and says which.
	if code, out := run("plan", "--key", simLeakedKey, "--since", since, "-o", filepath.Join(root, "plan-2.json")); code != exitOK {
		t.Fatalf("plan --key exited %d:\n%s", code, out)
	}
	code, out = run("verify", "--since", since)
	t.Logf("verify exited %d:\n%s", code, out)
	if !strings.Contains(out, "checking "+simLeakedKey+", the leaked key named in") {
		t.Errorf("verify does not say it checks the key the journal names")
	}
	// With the key, the trace finds the attacker's role session, which still works.
	if code != exitPartial || !regexp.MustCompile(`leaked key +`+simLeakedKey).MatchString(out) ||
		!regexp.MustCompile(`role sessions +deploy-role/\S+ +fail`).MatchString(out) {
		t.Errorf("verify exited %d: it does not check the leaked key, or misses the attacker's session it leads to", code)
	}
}
