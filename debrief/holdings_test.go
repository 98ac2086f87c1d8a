package debrief

import (
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

// In persistence the attacker left an Auto Scaling group and its launch template behind the
// miners: a debrief drawn before anyone stopped them lists both among what the attacker still
// holds, and neither once they are gone.
func TestWhatTheAttackerStillHoldsIncludesWhatRelaunchesInstances(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "persistence", time.Now().UTC())
	facts := Facts{Scenario: "persistence", Briefing: s.Clock.Now(), End: s.Clock.Now(),
		After: s.Server.Holdings(), Attacker: s.Server.AttackerCredentials()}
	held := strings.Join(Build(facts).StillHeld, "\n")
	for _, want := range []string{
		"Auto Scaling group gpu-workers in us-west-2 (desired 2, min 2, max 2): it relaunches what is terminated",
		"launch template gpu-workers in us-west-2: it launches miners again with a few calls",
	} {
		if !strings.Contains(held, want) {
			t.Errorf("still held lacks %q:\n%s", want, held)
		}
	}

	// The same holdings with the group and the template gone: nothing of them is listed.
	facts.After = slices.DeleteFunc(facts.After, func(h sim.Holding) bool {
		return h.Kind == sim.HoldingGroup || h.Kind == sim.HoldingTemplate
	})
	if held := strings.Join(Build(facts).StillHeld, "\n"); strings.Contains(held, "gpu-workers") {
		t.Errorf("a stopped respawner is still listed:\n%s", held)
	}
}
