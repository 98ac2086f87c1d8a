package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
)

// checkOf returns the first check named check whose item contains item.
func checkOf(v *Verification, check, item string) VerifyCheck {
	for _, c := range v.Checks {
		if c.Check == check && strings.Contains(c.Item, item) {
			return c
		}
	}
	return VerifyCheck{}
}

func TestVerifyCountsAKeepDecisionWithItsReasonAsAPassAndNothingElse(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	_, before := verifyNow(t, d.env)
	backdoor := checkOf(before, "new access keys", "billing-reports/")
	protected := checkOf(before, "rogue instances", "sa-east-1/")
	if backdoor.Result != VerifyFail || protected.Result != VerifyFail {
		t.Fatalf("before any decision the backdoor key on billing-reports is %q and the protected rogue instance %q, want fail", backdoor.Result, protected.Result)
	}
	kept := map[string]string{
		"sync-automation":                     "the backup vendor's account, ticket SEC-12",
		strings.Split(backdoor.Item, "/")[1]:  "made by the billing team at 01:00 for the new exporter",
		strings.Split(protected.Item, "/")[1]: "the ML team's training run, approved in CHG-7",
		leakedKey:                             "an operator cannot keep the leaked key",
	}
	d.env.Kept = func() map[string]string { return kept }
	insp, v := verifyNow(t, d.env)

	for _, want := range []struct{ check, item, reason string }{
		{"new roles", "sync-automation", kept["sync-automation"]},
		{"new access keys", backdoor.Item, "made by the billing team at 01:00 for the new exporter"},
		{"rogue instances", protected.Item, "the ML team's training run, approved in CHG-7"},
	} {
		c := checkOf(v, want.check, want.item)
		if c.Result != VerifyPass || c.Kept != want.reason || c.HandledBy != "" {
			t.Errorf("%s %s kept by the operator: %+v, want a pass with the reason", want.check, want.item, c)
		}
		if !strings.Contains(factsText(insp), "kept by the operator: "+want.reason) {
			t.Errorf("the reason for %s is not shown:\n%s", want.item, factsText(insp))
		}
	}
	if got := checkOf(v, "leaked key", leakedKey).Result; got != VerifyFail {
		t.Errorf("the leaked key, 'kept', is %q: only being off makes it pass", got)
	}
	if v.Contained || v.Kept != 3 {
		t.Errorf("contained=%v with %d kept; want not contained (the leaked key, the backdoor user, the miners) and 3 kept", v.Contained, v.Kept)
	}
	if _, ok := v.Keepable(leakedKey); ok {
		t.Error("the leaked key is offered for keeping")
	}
	if item, ok := before.Keepable("new roles/sync-automation"); !ok || item != "sync-automation" {
		t.Errorf("the new role's row is not keepable by its row id: %q %v", item, ok)
	}
}

func factsText(insp *Inspection) string {
	var out []string
	for _, f := range insp.Facts {
		out = append(out, f.Label+": "+f.Value)
	}
	return strings.Join(out, "\n")
}

func TestVerifyFindsTheSpotRequestLeftOpenBehindATerminatedRogueInstance(t *testing.T) {
	d := startDrill(t, Drill)
	ctx := context.Background()
	found, err := ScanForRogueInstances(ctx, d.env.Account, d.env.Since, d.env.Params, nil)
	if err != nil {
		t.Fatal(err)
	}
	var targets []aws.Target
	for _, in := range found.Instances {
		if in.Verdict == VerdictRogue && in.SpotRequestID != "" {
			// The instance alone, its spot request left alone: the mistake the check is there for.
			targets = append(targets, aws.Target{Region: in.Region, InstanceID: in.ID})
		}
	}
	if len(targets) == 0 {
		t.Fatal("the scenario has no rogue spot instance")
	}
	if _, err := changesOf(d.env).TerminateInstances(ctx, targets, aws.TerminateOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	// The persistent requests launched replacements at once: the requests are what to cancel.
	insp, v := verifyNow(t, d.env)
	spot := checkOf(v, "open spot requests", targets[0].Region+"/sir-")
	if spot.Result != VerifyFail || spot.HandledBy != byTerminate || !strings.Contains(spot.Evidence, "active, persistent, behind the rogue instance ") {
		t.Fatalf("the spot request behind the terminated %s: %+v\n%s", targets[0].InstanceID, spot, remainingRows(insp))
	}
	if _, ok := v.Keepable(spot.Item); ok {
		t.Error("a spot request behind a rogue instance is offered for keeping")
	}
}

func TestVerifyFindsASpotRequestMadeAfterT0WhoseInstanceIsGone(t *testing.T) {
	t0 := drillStart.Add(-3 * time.Hour)
	found := &InstanceFindings{Scan: &aws.InstanceScan{Regions: []aws.RegionScan{{Region: "ap-south-1", Status: aws.RegionOK,
		SpotRequests: []aws.SpotRequest{
			{ID: "sir-gone", Type: "persistent", State: "open", InstanceID: "i-0terminated", Created: t0.Add(time.Hour)},
			{ID: "sir-waiting", Type: "one-time", State: "open", Created: t0.Add(time.Hour)},
			{ID: "sir-before", Type: "persistent", State: "active", InstanceID: "i-0old", Created: t0.Add(-time.Hour)},
			{ID: "sir-closed", Type: "one-time", State: "closed", Created: t0.Add(time.Hour)},
		}}}}}
	got := openSpotRequests(found, t0, nil)
	items := map[string]VerifyCheck{}
	for _, c := range got {
		items[c.Item] = c
	}
	if len(got) != 2 || items["ap-south-1/sir-gone"].HandledBy != byHandSpot || items["ap-south-1/sir-waiting"].Result != VerifyFail {
		t.Fatalf("open spot requests: %+v; want the two made after T0 that are still open, to cancel by hand", got)
	}
	if !strings.Contains(items["ap-south-1/sir-gone"].Evidence, "its instance i-0terminated is gone") {
		t.Errorf("evidence: %q", items["ap-south-1/sir-gone"].Evidence)
	}
}
