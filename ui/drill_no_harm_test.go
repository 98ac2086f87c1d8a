package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"lockdown/aws"
	"lockdown/steps"
)

// applyWithSecrets applies a step whose outcome shows new secrets: the dialog saves them all to
// path, closes, and the follow-up (old keys off) is confirmed when there is one.
func (d *teatestDrill) applyWithSecrets(stepID, path string) {
	d.t.Helper()
	d.press("p")
	d.until(stepID+" has a plan", func() bool { return d.run.Status(stepID).Plan != nil })
	d.confirm(d.run.Status(stepID).Plan.Confirm.Typed)
	d.until("the secret dialog is open", d.seen.secretShown.Load)
	d.press("w")
	d.typeText(path)
	d.press("enter")
	teatest.WaitFor(d.t, d.tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("saved to")) },
		teatest.WithDuration(backgroundPatience), teatest.WithCheckInterval(5*time.Millisecond))
	d.press("esc")
	d.until("the secret dialog is closed", func() bool { return !d.seen.secretShown.Load() })
	if fu := d.run.Status(stepID).Outcome.FollowUp; fu != nil {
		d.confirm(fu.Confirm.Typed)
		d.until(stepID+"'s follow-up is applied", func() bool { return d.run.Status(stepID).Outcome.FollowUp != fu })
	}
}

// selection is what a step preselected.
func (d *teatestDrill) selection(stepID string) []string {
	return d.run.Status(stepID).Inspection.Table.SelectedIDs()
}

// Do no harm, in the interface: the false-positive drill walked with the keyboard, each step
// applied as lockdown preselects it (none where it preselects nothing), changes none of the team's
// resources — read back, and counted by the debrief — and only stops the worker whose user data
// the attacker replaced.
func TestFollowingTheVerdictsInTheInterfaceChangesNoneOfTheTeamsResources(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "false-positive")
	d.press("enter", "enter") // the briefing, then the leaked key's inspection
	d.until("the leaked key is inspected", func() bool { return d.run.Status("contain-key").Inspection != nil })
	d.applyPlan("contain-key")
	d.next(1)
	d.press("enter", "enter")
	d.until("the attacker is traced", func() bool { return d.run.Status("trace-attacker").Inspection != nil })
	d.next(2)
	d.inspect("credential-inventory")
	d.next(1)
	d.inspect("rotate-keys")
	if got := d.selection("rotate-keys"); !slices.Equal(got, []string{"release-bot"}) {
		t.Fatalf("rotation preselects %v, want only the leaked key's user", got)
	}
	d.applyWithSecrets("rotate-keys", filepath.Join(t.TempDir(), "new-keys.ini"))
	d.next(1)
	d.inspect("remove-rogue-users")
	d.applyPlan("remove-rogue-users")
	for _, step := range []string{"disable-attacker-keys", "revoke-sessions", "remove-iam-persistence"} {
		d.next(1)
		d.inspect(step)
		if got := d.selection(step); len(got) != 0 {
			t.Errorf("%s preselects %v; nothing of the attacker's is there", step, got)
		}
	}
	d.next(1)
	d.inspect("require-password-reset")
	d.applyPlan("require-password-reset")
	d.next(1)
	d.inspect("find-rogue-instances")
	d.next(1)
	d.inspect("stop-respawners")
	if got := d.selection("stop-respawners"); len(got) != 0 {
		t.Errorf("stop-respawners preselects %v: Maria's launch template is hers", got)
	}
	d.next(1)
	d.inspect("terminate-instances")
	d.applyPlan("terminate-instances")
	stop := steps.StopChangeID("us-east-1", "i-0b5e11ef00a1b2c3d")
	if !slices.ContainsFunc(d.run.Status("terminate-instances").Outcome.Results, func(r steps.Result) bool {
		return r.ChangeID == stop && r.Status == steps.StatusApplied
	}) {
		t.Errorf("the worker was not offered and given a stop: %+v", d.run.Status("terminate-instances").Outcome.Results)
	}
	d.next(1)
	d.inspect("delete-key-pairs")
	d.applyPlan("delete-key-pairs")

	acct := d.sim.Account(t, aws.Options{})
	ctx := context.Background()
	for _, in := range d.sim.Server.EC2Instances("") {
		attackers := in.Region == "ap-southeast-1" || in.Region == "sa-east-1"
		switch {
		case in.ID == "i-0b5e11ef00a1b2c3d" && in.State != "stopped":
			t.Errorf("the worker running the attacker's user data is %s, want stopped, not terminated", in.State)
		case attackers && in.State != "terminated":
			t.Errorf("the attacker's %s in %s is %s", in.ID, in.Region, in.State)
		case !attackers && in.ID != "i-0b5e11ef00a1b2c3d" && in.State != "running":
			t.Errorf("the team's %s in %s is %s", in.ID, in.Region, in.State)
		}
	}
	for _, u := range []string{"maria", "ci-runners", "logs-shipper", "priya"} {
		keys, err := aws.ListAccessKeys(ctx, acct.IAM(), u, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.Status != aws.KeyActive {
				t.Errorf("%s's key %s is %s", u, k.ID, k.Status)
			}
		}
	}
	pairs, err := acct.SurveyKeyPairs(ctx, aws.RegionReadOptions{Regions: []string{"us-east-1"}})
	if err != nil || !slices.ContainsFunc(pairs.KeyPairs, func(k aws.RegionKeyPair) bool { return k.Name == "maria-debug" }) {
		t.Errorf("Maria's key pair is gone: %v", err)
	}
	if c := d.watch.Debrief().Collateral; len(c) != 0 {
		t.Errorf("the debrief counts collateral: %+v", c)
	}
	d.press("q")
	d.until("the debrief is on screen", d.seen.debriefShown.Load)
	d.press("q")
	d.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
