package steps

import (
	"strings"
	"testing"
)

// What CloudTrail says a teammate made after T0 (the new engineer's user and key, the team lead's
// key pair and launch template) is no attacker's: the verification names who made it, sends it to
// the operator's word instead of a step that will never propose it, does not call it rogue, and
// passes it once the operator keeps it with a reason.
func TestTheVerificationLeavesWhatATeammateMadeToTheOperatorsWord(t *testing.T) {
	t.Parallel()
	env, _ := tracedFalsePositive(t, DryRun)
	team := []struct{ check, item string }{
		{"new users", "priya"},
		{"new access keys", "AKIAEXAMPLEPRIYANEW1"},
		{"new key pairs", "us-east-1/maria-debug"},
		{"respawners", "launch template"},
	}
	insp, v := verifyNow(t, env)
	kept := map[string]string{}
	for _, want := range team {
		c := checkOf(v, want.check, want.item)
		if c.Result != VerifyFail || !strings.Contains(c.Evidence, "user/maria") || c.HandledBy != keepTheTeams {
			t.Errorf("%s %s: %+v; want a fail naming Maria, for the operator to keep", want.check, want.item, c)
		}
		for _, r := range insp.Table.Rows {
			if r.ID == c.RowID() && r.Tone == ToneRogue {
				t.Errorf("%s is shown rogue, though CloudTrail says Maria made it", r.ID)
			}
		}
		// The operator names the item by its id, as --keep verify-contained:ID:REASON does.
		id := c.Item[strings.LastIndexAny(c.Item, "/ ")+1:]
		item, ok := v.Keepable(id)
		if !ok {
			t.Errorf("%s cannot be kept by its id %s", c.RowID(), id)
		}
		kept[item] = "the team's, checked with Maria"
	}
	if c := checkOf(v, "new access keys", "AKIAEXAMPLEBACKDOOR3"); c.Result == VerifyFail && c.MadeBy != "" {
		t.Errorf("the attacker's backdoor key is taken for a teammate's: %+v", c)
	}

	env.Kept = func() map[string]string { return kept }
	_, v = verifyNow(t, env)
	for _, want := range team {
		if c := checkOf(v, want.check, want.item); c.Result != VerifyPass || c.Kept == "" {
			t.Errorf("%s %s kept by the operator: %+v, want a pass with the reason", want.check, want.item, c)
		}
	}
}
