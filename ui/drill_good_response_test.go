package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/debrief"
	"lockdown/steps"
)

// Each built-in scenario's good response, as docs/scenarios.md writes it, played with the keyboard
// in the real program loop on the simulated clock: it reaches the scenario's maximum score.

// cleanUp are the steps after the trace that a good response follows, in the runbook's order:
// each inspected, and what it proposes applied.
var cleanUp = []string{"credential-inventory", "remove-rogue-users", "disable-attacker-keys", "revoke-sessions",
	"remove-iam-persistence", "require-password-reset", "find-rogue-instances", "stop-respawners", "terminate-instances",
	"delete-key-pairs"}

// containAndTrace leaves the briefing for the leaked key, contains it, and traces the attacker.
func (d *teatestDrill) containAndTrace() {
	d.t.Helper()
	d.press("enter") // the briefing: straight to the leaked key, its id filled in
	d.until("the key is on screen", func() bool { return d.focusedStep() == "contain-key" })
	d.look("contain-key")
	d.applyPlan("contain-key")
	d.goTo("trace-attacker")
	d.look("trace-attacker")
}

// mustScoreFull fails with the whole debrief unless it is 100/100 with no collateral.
func mustScoreFull(t *testing.T, got *debrief.Debrief) {
	t.Helper()
	if !got.Score.Scored || got.Score.Points != got.Score.Of || got.Score.Penalty != 0 {
		t.Errorf("the good response scores %d/%d (collateral −%d):\n%s", got.Score.Points, got.Score.Of, got.Score.Penalty,
			strings.Join(got.Lines(), "\n"))
	}
}

// own-key: clean up while the leaked key — lockdown's own — still works, contain it last with
// "lock me out", then hand over to the break-glass identity from the vault for what is left (the
// password resets) and the verification.
func TestGoodResponseOwnKey(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "own-key")
	clock := d.sim.Clock
	clock.Advance(2 * time.Minute)
	d.press("enter") // the briefing starts at the trace, the key filled in
	d.until("the trace is on screen", func() bool { return d.focusedStep() == "trace-attacker" })
	d.look("trace-attacker")
	// Everything but the password resets, which change the account's own users: those wait for
	// the break-glass identity, so CloudTrail does not show them signed with the leaked key.
	d.follow(slices.DeleteFunc(slices.Clone(cleanUp), func(id string) bool { return id == "require-password-reset" })...)
	clock.Advance(3 * time.Minute) // +5m, before the attacker's next launch
	d.goTo("contain-key")          // last: lockdown does not propose locking itself out, the operator chooses it
	d.look("contain-key")
	d.applyPlan("contain-key") // typed: "lock me out"
	d.handOver()
	clock.Advance(3 * time.Minute) // +8m
	d.follow("require-password-reset")
	if v := d.verify(); !v.Contained {
		t.Fatalf("the verification after the good response: %s", remainingItems(v))
	}
	clock.Advance(time.Minute)
	mustScoreFull(t, d.score())
}

// large-noisy: contain first, let lockdown ride out the throttling, terminate the miners among ten
// thousand instances, remove the backdoor user, and leave the region the responder may not read
// out of every step with the reason, which the verification counts as the operator's decision.
func TestGoodResponseLargeNoisy(t *testing.T) {
	t.Parallel()
	// ap-southeast-3's 1.5 s a call is a hundredth of that here: the test's clock is not the wall's.
	d := startTeatestDrillOf(t, "large-noisy", func(o *sim.Options) { o.LatencyScale = 0.01 })
	clock := d.sim.Clock
	clock.Advance(time.Minute)
	d.containAndTrace()
	d.follow(cleanUp...)
	clock.Advance(14 * time.Minute) // +15m
	v := d.verify()
	if v.Contained || !strings.Contains(remainingItems(v), "me-south-1") {
		t.Fatalf("before the region is left out, the verification says: %s", remainingItems(v))
	}
	d.skipRegion("me-south-1", "denied to responders by the organization's SCP; the security team checked it from the management account, ticket SEC-31")
	d.look("verify-contained")
	if v := d.run.Status("verify-contained").Inspection.Data.(*steps.Verification); !v.Contained {
		t.Fatalf("with me-south-1 left out with a reason, the verification says: %s", remainingEvidence(v))
	}
	clock.Advance(time.Minute)
	mustScoreFull(t, d.score())
}

// persistence: contain first, restore logging, take back every IAM way in, stop the group, the
// spot request and the template before terminating, delete the imported key pair.
func TestGoodResponsePersistence(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "persistence")
	clock := d.sim.Clock
	clock.Advance(2 * time.Minute)
	d.containAndTrace()
	d.follow(append([]string{"restore-logging"}, cleanUp...)...)
	clock.Advance(20 * time.Minute)
	if v := d.verify(); !v.Contained {
		t.Fatalf("the verification after the good response: %s", remainingItems(v))
	}
	clock.Advance(time.Minute)
	mustScoreFull(t, d.score())
}

// false-positive: follow the verdicts the trace makes, touch nothing of the team's, restore the
// reports worker's user data by hand (the terminate step stopped it), and keep with the team
// lead's word what she made after T0: the new engineer's user and key, her key pair and template.
func TestGoodResponseFalsePositive(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "false-positive")
	clock := d.sim.Clock
	clock.Advance(2 * time.Minute)
	d.containAndTrace()
	d.follow(cleanUp...)
	d.restoreUserData(d.stoppedForUserData())
	clock.Advance(10 * time.Minute)
	for _, c := range d.verify().Checks {
		if c.Result != steps.VerifyPass && (strings.HasPrefix(c.Item, "priya") || strings.Contains(c.Evidence, ":user/maria ")) {
			d.keep(c.Item, "made by maria, confirmed with maria, ticket HR-88")
		}
	}
	v := d.verify()
	if !v.Contained {
		t.Fatalf("the verification after the good response: %s", remainingItems(v))
	}
	clock.Advance(time.Minute)
	mustScoreFull(t, d.score())
}

// temporary-credentials: deny the role's sessions issued before now (the stolen session is the
// leaked credential), remove the backdoor user, terminate the miners in three regions.
func TestGoodResponseTemporaryCredentials(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "temporary-credentials")
	clock := d.sim.Clock
	clock.Advance(time.Minute)
	d.containAndTrace()
	d.follow(cleanUp...)
	clock.Advance(10 * time.Minute)
	if v := d.verify(); !v.Contained {
		t.Fatalf("the verification after the good response: %s", remainingItems(v))
	}
	clock.Advance(time.Minute)
	got := d.score()
	if m := got.Milestones[0]; m.Name != "leaked session revoked" || !m.Reached {
		t.Errorf("the stolen session's milestone: %+v", m)
	}
	mustScoreFull(t, got)
}
