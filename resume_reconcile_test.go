package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/wiretest"
	"lockdown/runbooks"
)

func TestResumingAnIncidentDeletesTheKeyALostAnswerMadeWhoseSecretWasNeverShown(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	before := s.keyIDs("ci-deploy")
	// AWS makes the key, and its answer never arrives before the operator gives up.
	s.wire.SetRules(wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.SlowAnswer(time.Minute)})
	first := liveSession(t, s, &Globals{})
	for _, step := range []string{"confirm-account", "contain-key", "credential-inventory"} {
		if err := first.run.Skip(step, "not this test's concern"); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := first.run.Inspect(ctx, "rotate-keys", nil, nil); err != nil {
		t.Fatal(err)
	}
	plan, err := first.run.Plan(ctx, "rotate-keys", []string{"ci-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = first.run.Apply(ctx, "rotate-keys", plan, plan.Confirm.Typed, nil)
	var orphan string
	for _, id := range s.keyIDs("ci-deploy") {
		if !slices.Contains(before, id) {
			orphan = id
		}
	}
	if orphan == "" {
		t.Fatal("AWS made no key")
	}
	journal := first.journal.Path()
	_ = first.close(&Globals{stderr: &strings.Builder{}})
	s.wire.SetRules()

	g := &Globals{}
	if err := g.readPriorIncident(journal); err != nil {
		t.Fatal(err)
	}
	resumed := liveSession(t, s, g)
	resumed.reconcileResumed(g)
	if keys := s.keyIDs("ci-deploy"); slices.Contains(keys, orphan) || !slices.Equal(keys, before) {
		t.Errorf("after resuming, ci-deploy has %v; the key nobody saw the secret of (%s) is deleted and the rest kept (%v)", keys, orphan, before)
	}
	entries, err := runbooks.ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	if p := runbooks.PendingChanges(entries); len(p) != 0 {
		t.Errorf("still pending after resuming: %+v", p)
	}
}
