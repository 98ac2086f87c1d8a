package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"lockdown/aws"
	"lockdown/steps"
)

// selectByFilter selects one row of the focused findings table with the keys an operator uses:
// filter down to it, select it, clear the filter.
func (d *teatestDrill) selectByFilter(text string) {
	d.press("/")
	d.typeText(text)
	d.press("enter", "space", "/", "esc")
}

// The acceptance for new secrets: three keys rotated in the interface, the secrets written once,
// esc pressed. Either all three secrets are in the file, or the dialog refused to close; and no
// old key is switched off whose replacement's secret is not in the file.
func TestThreeRotatedKeysWrittenOnceAreAllSavedBeforeAnyOldKeyGoesOff(t *testing.T) {
	t.Parallel()
	d := startTeatestDrill(t)
	users := []string{"ci-deploy", "alice", "billing-reports"}
	ctx := context.Background()
	oldKeys := map[string][]string{}
	for _, u := range users {
		keys, err := aws.ListAccessKeys(ctx, d.sim.Account(t, aws.Options{}).IAM(), u, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.Status == aws.KeyActive && !strings.HasPrefix(k.ID, "AKIAEXAMPLEBACKDOOR") {
				oldKeys[u] = append(oldKeys[u], k.ID)
			}
		}
	}

	d.press("enter", "esc") // past the briefing, out of the leaked key's field
	d.next(3)
	d.inspect("credential-inventory")
	d.next(1)
	d.inspect("rotate-keys")
	d.press("n")
	for _, u := range users {
		d.selectByFilter(u)
	}
	d.press("p")
	d.until("the rotation has a plan", func() bool { return d.run.Status("rotate-keys").Plan != nil })
	plan := d.run.Status("rotate-keys").Plan
	if n := strings.Count(changeOps(plan.Changes), "iam:CreateAccessKey"); n != 3 {
		t.Fatalf("the plan makes %d keys, want 3: %s", n, changeOps(plan.Changes))
	}
	d.confirm(plan.Confirm.Typed)
	d.until("the secret dialog is open", d.seen.secretShown.Load)

	path := filepath.Join(t.TempDir(), "new-keys.ini")
	d.press("w")
	d.typeText(path)
	d.press("enter")
	teatest.WaitFor(t, d.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("saved to")) || bytes.Contains(b, []byte("not saved"))
	},
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(5*time.Millisecond))
	d.press("esc")
	// The next key is answered only after esc was: once the help overlay shows, esc was handled.
	d.press("?")
	teatest.WaitFor(t, d.tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Keys —")) || bytes.Contains(b, []byte("Not closed"))
	},
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(5*time.Millisecond))
	if !d.seen.secretShown.Load() {
		d.press("esc") // close the help overlay
	}

	saved, _ := os.ReadFile(path)
	inFile := map[string]bool{}
	for _, line := range strings.Split(string(saved), "\n") {
		if id, ok := strings.CutPrefix(line, "aws_access_key_id = "); ok {
			inFile[id] = true
		}
	}
	switch {
	case !d.seen.secretShown.Load() && len(inFile) != 3:
		t.Fatalf("the dialog closed with %d of 3 secrets in the file:\n%s", len(inFile), saved)
	case d.seen.secretShown.Load():
		t.Fatalf("one write saved every secret, yet esc did not close the dialog (file holds %d)", len(inFile))
	}
	if n := strings.Count(string(saved), "aws_secret_access_key = "); n != 3 {
		t.Errorf("the file holds %d secrets, want 3", n)
	}

	// The old keys wait for the follow-up, which switches off exactly those whose replacement
	// is saved: all three here.
	fu := d.run.Status("rotate-keys").Outcome.FollowUp
	if fu == nil {
		t.Fatal("no follow-up to switch the old keys off")
	}
	d.confirm(fu.Confirm.Typed)
	d.until("the old keys are switched off", func() bool { return d.run.Status("rotate-keys").Outcome.FollowUp != fu })
	now := d.sim.Account(t, aws.Options{})
	for _, u := range users {
		keys, err := aws.ListAccessKeys(ctx, now.IAM(), u, false)
		if err != nil {
			t.Fatal(err)
		}
		var replacement string
		for _, k := range keys {
			if inFile[k.ID] {
				replacement = k.ID
			}
		}
		for _, k := range keys {
			old := slices.Contains(oldKeys[u], k.ID)
			switch {
			case old && replacement == "" && k.Status != aws.KeyActive:
				t.Errorf("%s of %s was switched off though no replacement's secret is saved", k.ID, u)
			case old && replacement != "" && k.Status != aws.KeyInactive:
				t.Errorf("%s of %s is still %s though its replacement %s is saved", k.ID, u, k.Status, replacement)
			case k.ID == replacement && k.Status != aws.KeyActive:
				t.Errorf("the new key %s of %s is %s", k.ID, u, k.Status)
			}
		}
		if replacement == "" {
			t.Errorf("no new key of %s is in the file", u)
		}
	}
	d.press("q")
	d.until("the debrief is on screen", d.seen.debriefShown.Load)
	d.press("q")
	d.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

func changeOps(changes []steps.Change) string {
	var ops []string
	for _, c := range changes {
		ops = append(ops, c.Op)
	}
	return strings.Join(ops, " ")
}
