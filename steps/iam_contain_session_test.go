package steps

import (
	"context"
	"strings"
	"testing"
)

const sessionKey = "ASIAEXAMPLESESSION01"

func TestALeakedSessionKeyIsContainedByRevokingItsRolesOlderSessions(t *testing.T) {
	_, env := traceDrillIn(t, Drill)
	env.Inputs["access_key_id"] = sessionKey
	ctx := context.Background()
	insp, err := ContainKey{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(insp.Summary, "role arn:aws:iam::111122223333:role/deploy-role") {
		t.Errorf("summary %q does not name the role behind the session", insp.Summary)
	}
	if w := strings.Join(insp.Warnings, "\n"); !strings.Contains(w, "used from 203.0.113.7, an address outside AWS's services") {
		t.Errorf("the use from outside AWS is not said: %q", w)
	}
	plan, err := ContainKey{}.Plan(ctx, env, insp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Op != "iam:PutRolePolicy" || plan.Changes[0].Target != "deploy-role" || plan.Confirm.Typed != "ON01" {
		t.Fatalf("plan %+v, confirm %+v: want the role's older sessions revoked, confirmed by the key's last four", plan.Changes, plan.Confirm)
	}
	out, err := ContainKey{}.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Failed() != 0 || out.Results[0].Status != StatusApplied {
		t.Fatalf("results %+v", out.Results)
	}
	if len(out.Facts) != 1 || out.Facts[0].Tone != ToneOK || !strings.Contains(out.Facts[0].Value, "deploy-role denies sessions issued before") {
		t.Errorf("read-back %+v", out.Facts)
	}
	// Applying the same plan again finds it done.
	again, err := ContainKey{}.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil || again.Results[0].Status != StatusAlreadyDone {
		t.Errorf("second apply: %+v, %v", again, err)
	}
}

// TestALaunchFromTheAttackersAddressIsRogueWhateverKeyTheTraceStartedFrom: traced from the role
// session alone, the trace does not know the leaked long-term key, yet the miners that key
// launched came from the address the session's events came from.
func TestALaunchFromTheAttackersAddressIsRogueWhateverKeyTheTraceStartedFrom(t *testing.T) {
	_, env := traceDrill(t)
	env.Inputs["access_key_id"] = sessionKey
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	insp, err := FindRogueInstances{}.Inspect(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range insp.Data.(*InstanceFindings).Instances {
		if in.Region != "eu-north-1" {
			continue
		}
		if in.Verdict != VerdictRogue || !strings.Contains(in.Reasons[0], "from 203.0.113.7 (CloudTrail event ") ||
			!strings.Contains(in.Reasons[0], "an address the attacker's credentials used") {
			t.Errorf("%s launched by the backdoor key from the attacker's address: %s, %q", in.ID, in.Verdict, in.Reasons)
		}
	}
}
