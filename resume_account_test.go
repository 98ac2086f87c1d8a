package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/steps"
)

// liveSession opens a live run on the simulator as the respond command does, without the screen.
func liveSession(t *testing.T, s *simAccountForCLI, g *Globals) *session {
	t.Helper()
	return liveSessionSince(t, s, g, time.Time{})
}

// liveSessionSince is liveSession with the incident start since.
func liveSessionSince(t *testing.T, s *simAccountForCLI, g *Globals, since time.Time) *session {
	t.Helper()
	var stderr bytes.Buffer
	g.EndpointURL, g.Journal, g.Live, g.stdout, g.stderr = s.url, s.journal, true, &stderr, &stderr
	g.credentials, g.transport = responder(s.srv), inProcessWire
	acct, err := g.OpenAccount(g.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(g.Context()); err != nil {
		t.Fatal(err)
	}
	sess, err := g.newSession(acct, since)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.close(g) })
	return sess
}

// tryContainment confirms the account and applies containment of the leaked key, as an operator
// would in the TUI, and returns what apply said.
func tryContainment(t *testing.T, sess *session) (*steps.Outcome, error) {
	t.Helper()
	ctx := t.Context()
	if _, err := sess.run.Inspect(ctx, "confirm-account", nil, nil); err != nil {
		return nil, err
	}
	found, err := sess.run.Inspect(ctx, "contain-key", map[string]string{"access_key_id": simLeakedKey}, nil)
	if err != nil {
		return nil, err
	}
	plan, err := sess.run.Plan(ctx, "contain-key", found.Table.SelectedIDs())
	if err != nil {
		return nil, err
	}
	return sess.run.Apply(ctx, "contain-key", plan, plan.Confirm.Typed, nil)
}

func TestResumingARunHeldToAnotherAccountKeepsRefusingEveryChange(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	first := liveSession(t, s, &Globals{Account: "000000000000"})
	journal := first.journal.Path()
	if _, err := tryContainment(t, first); err == nil && len(s.mutating()) > 0 {
		t.Fatal("the first run changed an account it was told is not the one")
	}
	_ = first.close(&Globals{stderr: &bytes.Buffer{}})

	g := &Globals{} // resumed without --account
	if err := g.readPriorIncident(journal); err != nil {
		t.Fatal(err)
	}
	if g.Account != "000000000000" {
		t.Fatalf("the resumed run expects account %q, want the 000000000000 the operator named", g.Account)
	}
	resumed := liveSession(t, s, g)
	var wrong *aws.WrongAccountError
	if err := resumed.acct.Guard().AllowChange(); !errors.As(err, &wrong) {
		t.Fatalf("the resumed run's guard allows changes: %v", err)
	}
	_, _ = tryContainment(t, resumed)
	if m := s.mutating(); len(m) > 0 {
		t.Fatalf("the resumed run sent %s %s to account %s, which the original run refused", m[0].Service, m[0].Action, simAccount)
	}
	if got := s.keyStatus("ci-deploy", simLeakedKey); got != "Active" {
		t.Errorf("the leaked key is %s; nothing should have changed it", got)
	}
}

func TestResumingWithAnotherAccountIsRefusedAndWithTheSameAccepted(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	first := liveSession(t, s, &Globals{Account: "000000000000"})
	journal := first.journal.Path()
	_ = first.close(&Globals{stderr: &bytes.Buffer{}})

	other := &Globals{Account: simAccount}
	err := other.readPriorIncident(journal)
	if err == nil || !strings.Contains(err.Error(), "started with --account 000000000000") {
		t.Fatalf("resuming with another --account should be refused, got %v", err)
	}
	same := &Globals{Account: "000000000000"}
	if err := same.readPriorIncident(journal); err != nil {
		t.Fatalf("resuming with the same --account should be accepted: %v", err)
	}
	if same.resumeFrom == nil || filepath.Join(same.resumeFrom.dir, same.resumeFrom.incident+".jsonl") != journal {
		t.Errorf("the resumed incident is not the journal's: %+v", same.resumeFrom)
	}
}
