package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// TestInTheOwnKeyDrillContainmentWarnsThatItLocksTheResponderOut: in the own-key scenario lockdown
// signs with the leaked key. Containment must say so before anything else and ask for the
// deliberate phrase, not the key's last four, and rotation must leave the responder's user alone.
func TestInTheOwnKeyDrillContainmentWarnsThatItLocksTheResponderOut(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "own-key", drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: Drill}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = "AKIAEXAMPLEKAILEAK05"
	ctx := context.Background()
	insp, err := ContainKey{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(insp.Warnings) == 0 || !strings.HasPrefix(insp.Warnings[0], "YOU ARE ABOUT TO LOCK YOURSELF OUT") {
		t.Errorf("the first warning does not say the responder is about to lock themselves out: %q", insp.Warnings)
	}
	plan, err := ContainKey{}.Plan(ctx, env, insp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Confirm.Typed != selfOverride {
		t.Errorf("containing the responder's own key is confirmed by %q, want %q", plan.Confirm.Typed, selfOverride)
	}
	last := plan.Changes[len(plan.Changes)-1]
	if last.Op != "iam:UpdateAccessKey" {
		t.Errorf("the key's deactivation is not the last change, so the others could not go through: %+v", plan.Changes)
	}
	rotate, err := RotateKeys{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range rotate.Table.SelectedIDs() {
		if id == "kai" {
			t.Error("rotation proposes the responder's own user")
		}
	}
}
