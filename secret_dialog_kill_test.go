package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

// TestAKeyWhoseSecretDialogWasKilledOpenIsNeverTakenForLockdownsOwn is the interface's rotation
// killed while the new secret is on screen: the key is made and journaled, its secret never saved
// nor acknowledged. The built binary's verify must not pass that key as lockdown's rotation key,
// and resuming the incident plans to delete it and make another, after review.
func TestAKeyWhoseSecretDialogWasKilledOpenIsNeverTakenForLockdownsOwn(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	root := t.TempDir()
	s.journal = filepath.Join(root, "journal")
	since := s.srv.IncidentStart()
	first := liveSessionSince(t, s, &Globals{}, since)
	for _, step := range []string{"confirm-account", "contain-key", "credential-inventory"} {
		if err := first.run.Skip(step, "not this test's concern"); err != nil {
			t.Fatal(err)
		}
	}
	ctx := t.Context()
	if _, err := first.run.Inspect(ctx, "rotate-keys", nil, nil); err != nil {
		t.Fatal(err)
	}
	plan, err := first.run.Plan(ctx, "rotate-keys", []string{"ci-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	// As in the interface: the secret comes back to be shown, and nothing keeps it.
	out, err := first.run.Apply(ctx, "rotate-keys", plan, plan.Confirm.Typed, nil)
	if err != nil || len(out.Secrets) != 1 {
		t.Fatalf("the rotation made %d secrets: %v", len(out.Secrets), err)
	}
	shown := out.Secrets[0].AccessKeyID
	out.Secrets[0].Wipe()
	journal := first.journal.Path()
	_ = first.close(&Globals{stderr: &strings.Builder{}}) // killed: nothing more is journaled

	id, secret := s.srv.ResponderCredentials()
	l := newSealedLockdown(t, s.url, root, id, secret, "")
	l.run("verify", "--key", simLeakedKey, "--since", since.Format(time.RFC3339), "--json")
	var v steps.Verification
	if err := json.Unmarshal(l.stdout.Bytes(), &v); err != nil {
		t.Fatalf("verify printed no verification: %v\n%s", err, l.stderr.String())
	}
	i := slices.IndexFunc(v.Checks, func(c steps.VerifyCheck) bool { return c.Item == "ci-deploy/"+shown })
	if i < 0 || v.Checks[i].Result != steps.VerifyFail || strings.Contains(v.Checks[i].Evidence, "lockdown's own rotation key") {
		t.Errorf("verify judges the key whose secret nobody kept: %+v", v.Checks[max(i, 0)])
	}

	g := &Globals{}
	if err := g.readPriorIncident(journal); err != nil {
		t.Fatal(err)
	}
	resumed := liveSessionSince(t, s, g, since)
	resumed.reconcileResumed(g)
	if _, err := resumed.run.Inspect(ctx, "rotate-keys", nil, nil); err != nil {
		t.Fatal(err)
	}
	again, err := resumed.run.Plan(ctx, "rotate-keys", []string{"ci-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range again.Changes {
		ids = append(ids, c.ID)
	}
	if !slices.Contains(ids, steps.KeyDeletionID(shown)) || !slices.Contains(ids, steps.KeyCreationID("ci-deploy")) {
		t.Errorf("resumed, the rotation plans %v: want %s deleted and a key made again", ids, shown)
	}
}
