package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// verifyNow runs verify.contained and returns its inspection and checks.
func verifyNow(t *testing.T, env *Env) (*Inspection, *Verification) {
	t.Helper()
	insp, err := VerifyContained{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return insp, insp.Data.(*Verification)
}

// result returns the result of the first check named check whose item contains item.
func result(v *Verification, check, item string) VerifyResult {
	for _, c := range v.Checks {
		if c.Check == check && strings.Contains(c.Item, item) {
			return c.Result
		}
	}
	return ""
}

func remainingRows(insp *Inspection) string {
	var out []string
	for _, r := range insp.Table.Rows {
		out = append(out, strings.Join(r.Cells, " | "))
	}
	return strings.Join(out, "\n")
}

func TestVerifyListsWhatTheAttackerStillHolds(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	insp, v := verifyNow(t, d.env)
	if v.Contained || !strings.HasPrefix(insp.Summary, "not contained: ") {
		t.Fatalf("untouched scenario verified as %q", insp.Summary)
	}
	rows := remainingRows(insp)
	for _, want := range []struct{ check, item string }{
		{"leaked key", leakedKey},
		{"new access keys", "support-sync/AKIAEXAMPLEBACKDOOR1"},
		{"new users", "support-sync"},
		{"new roles", "sync-automation"},
		{"rogue instances", "us-west-2/"},
		{"rogue instances", "eu-north-1/"},
	} {
		if got := result(v, want.check, want.item); got != VerifyFail {
			t.Errorf("%s %s: %q, want fail\n%s", want.check, want.item, got, rows)
		}
	}
	handledBy := func(userPrefix string) string {
		for _, c := range v.Checks {
			if c.Check == "new access keys" && strings.HasPrefix(c.Item, userPrefix) {
				return string(c.Result) + " " + c.HandledBy
			}
		}
		return ""
	}
	if got := handledBy("billing-reports/"); got != "fail "+byAttacker {
		t.Errorf("backdoor key on billing-reports: %q, want a failure handled by %q\n%s", got, byAttacker, rows)
	}
	// The backdoor user's own key goes with the user.
	if got := handledBy("support-sync/"); got != "fail "+byRemove {
		t.Errorf("key of the backdoor user: %q, want a failure handled by %q\n%s", got, byRemove, rows)
	}
	if !strings.Contains(rows, byContain) || !strings.Contains(rows, byTerminate) || !strings.Contains(rows, byRemove) {
		t.Errorf("remaining items do not name the steps that handle them:\n%s", rows)
	}
	if insp.Failed != 0 {
		t.Errorf("%d unknown checks on a healthy simulator:\n%s", insp.Failed, rows)
	}
}

func TestVerifyKeyChecksPassOnceKeysAreOff(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Inputs["access_key_id"] = leakedKey
	_, before := verifyNow(t, d.env)
	ctx := context.Background()
	changes := changesOf(d.env)
	for _, c := range before.Checks {
		if c.Result != VerifyFail {
			continue
		}
		switch c.Check {
		case "leaked key":
			if _, err := changes.DeactivateKey(ctx, "ci-deploy", leakedKey); err != nil {
				t.Fatal(err)
			}
		case "new access keys":
			user, key, _ := strings.Cut(c.Item, "/")
			if _, err := changes.DeactivateKey(ctx, user, key); err != nil {
				t.Fatal(err)
			}
		}
	}
	insp, v := verifyNow(t, d.env)
	for _, c := range v.Checks {
		if (c.Check == "leaked key" || c.Check == "new access keys") && c.Result != VerifyPass {
			t.Errorf("%s %s still %s after deactivation: %s", c.Check, c.Item, c.Result, c.Evidence)
		}
	}
	if result(v, "leaked key", leakedKey) != VerifyPass {
		t.Errorf("leaked key not checked after deactivation:\n%s", remainingRows(insp))
	}
	if v.Contained {
		t.Errorf("contained with the backdoor user and miners still there")
	}
}

func TestVerifyOwnRotationKeyIsNotTheAttackers(t *testing.T) {
	d := startDrill(t, Drill)
	_, before := verifyNow(t, d.env)
	own := map[string]bool{}
	for _, c := range before.Checks {
		if c.Check == "new access keys" && strings.HasPrefix(c.Item, "billing-reports/") {
			own[strings.TrimPrefix(c.Item, "billing-reports/")] = true
		}
	}
	if len(own) != 1 {
		t.Fatalf("backdoor key on billing-reports not found: %v", own)
	}
	d.env.OwnKeys = func() map[string]bool { return own }
	// Its secret never recorded as kept (lockdown was killed with it on screen), it is nobody's.
	_, v := verifyNow(t, d.env)
	if got := result(v, "new access keys", "billing-reports/"+firstKey(own)); got != VerifyFail {
		t.Errorf("a key lockdown made whose secret was never kept is judged %q, want fail", got)
	}
	d.env.SecretsKept = func() map[string]bool { return own }
	_, v = verifyNow(t, d.env)
	if got := result(v, "new access keys", "billing-reports/"+firstKey(own)); got != VerifyPass {
		t.Errorf("lockdown's own key judged %q, want pass", got)
	}
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

func TestVerifyRegionThatFailsToScanIsUnknownNotPass(t *testing.T) {
	d := startDrill(t, Drill)
	if err := d.srv.AddFault(sim.Fault{Region: "eu-north-1", Service: "ec2", Deny: true}); err != nil {
		t.Fatal(err)
	}
	// Only the broken region is scanned: with nothing else failing, a pass would be a lie.
	d.env.Params = Params{"regions": []string{"eu-north-1"}}
	insp, v := verifyNow(t, d.env)
	if got := result(v, "rogue instances", "eu-north-1"); got != VerifyUnknown {
		t.Errorf("eu-north-1 that could not be scanned is %q, want unknown\n%s", got, remainingRows(insp))
	}
	if result(v, "rogue instances", "all regions") == VerifyPass {
		t.Errorf("instances pass although the only region failed")
	}
	if v.Contained || insp.Failed == 0 || insp.Summary == "contained" {
		t.Errorf("summary %q with %d unknown", insp.Summary, insp.Failed)
	}
}

func TestVerifyWithoutIncidentStartIsNotContained(t *testing.T) {
	d := startDrill(t, Drill)
	d.env.Since = time.Time{}
	insp, v := verifyNow(t, d.env)
	if v.Contained || insp.Summary == "contained" {
		t.Fatalf("contained without T0:\n%s", remainingRows(insp))
	}
	for _, check := range []string{"new access keys", "new users", "rogue instances"} {
		if got := result(v, check, "all "); got != VerifyNotChecked {
			t.Errorf("%s without T0: %q, want not checked", check, got)
		}
	}
}
