package steps

import "testing"

// A region left out with a reason replaces what could not be read there with one pass that is the
// operator's decision; what was read and failed there stays a failure, and other regions' unknowns
// stay unknown.
func TestARegionLeftOutIsTheOperatorsDecisionNeverASilentPass(t *testing.T) {
	env := &Env{Params: Params{}, Kept: func() map[string]string {
		return map[string]string{SkipRegionItem("me-south-1"): "denied by the SCP, ticket SEC-31"}
	}}
	checks := []VerifyCheck{
		{Check: "rogue instances", Item: "me-south-1", Result: VerifyUnknown},
		{Check: "respawners", Item: "me-south-1", Result: VerifyUnknown},
		{Check: "rogue instances", Item: "me-south-1/i-0abc", Result: VerifyFail},
		{Check: "rogue instances", Item: "ap-south-1", Result: VerifyUnknown},
	}
	got := leaveOutSkipped(env, checks)
	if len(got) != 3 {
		t.Fatalf("checks = %+v", got)
	}
	if got[0].Item != "me-south-1/i-0abc" || got[0].Result != VerifyFail || got[1].Item != "ap-south-1" || got[1].Result != VerifyUnknown {
		t.Errorf("a failure or another region's unknown was hidden: %+v", got)
	}
	if last := got[2]; last.Check != checkSkipped || last.Result != VerifyPass || last.Kept != "denied by the SCP, ticket SEC-31" {
		t.Errorf("the decision's line: %+v", last)
	}
	v := &Verification{Checks: checks}
	if region, ok := v.UnreadRegion("rogue instances/me-south-1"); !ok || region != "me-south-1" {
		t.Errorf("the unread row's region: %q %v", region, ok)
	}
	if _, ok := v.UnreadRegion("rogue instances/me-south-1/i-0abc"); ok {
		t.Error("a failed row is offered as an unread region")
	}
	// Left out with --skip-regions and no reason: still named, as such.
	env = &Env{Params: Params{"skip_regions": []string{"me-south-1"}}}
	if got := leaveOutSkipped(env, nil); len(got) != 1 || got[0].Kept != "left out with --skip-regions" {
		t.Errorf("a region left out by flag: %+v", got)
	}
}
