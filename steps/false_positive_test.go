package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// TestInTheFalsePositiveDrillTheVerdictsLeaveTheTeamsWorkAlone: after T0 the false-positive
// scenario has the attacker's miners and backdoor user beside an Auto Scaling scale-out, CI
// runners and a new engineer's user and key. Traced from the leaked key, the steps propose only
// the attacker's, and say why the others, made after T0 too, are not proposed.
func TestInTheFalsePositiveDrillTheVerdictsLeaveTheTeamsWorkAlone(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "false-positive", drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: DryRun, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED003"
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	ctx := context.Background()

	users, err := RemoveBackdoorUsers{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := users.Table.SelectedIDs(); !slices.Equal(got, []string{"release-bot-2"}) {
		t.Errorf("users proposed for deletion: %v; want only the attacker's backdoor user", got)
	}
	for _, r := range users.Table.Rows {
		if r.ID == "priya" && !strings.Contains(strings.Join(r.Reasons, " "), "not by the attacker's credentials") {
			t.Errorf("the new engineer's row does not say why she is left alone: %q", r.Reasons)
		}
	}

	rotate, err := RotateKeys{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rotate.Table.SelectedIDs(), "priya") {
		t.Errorf("the new engineer's key, made after T0 by her lead, is proposed for rotation as if it predated T0")
	}

	keys, err := DisableAttackerKeys{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys.Table.SelectedIDs(); len(got) != 0 {
		t.Errorf("keys proposed for deactivation: %v; the only key made after T0 on an existing user is the new engineer's", got)
	}

	insp, err := FindRogueInstances{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	rogue := 0
	for _, in := range insp.Data.(*InstanceFindings).Instances {
		legit := in.Tags["team"] != ""
		switch {
		case legit && in.Verdict == VerdictRogue:
			t.Errorf("%s %s (%s) launched by the team is rogue: %q", in.Region, in.ID, in.Tags["Name"], in.Reasons)
		case !legit && in.Verdict != VerdictRogue:
			t.Errorf("%s %s, the attacker's, is %s: %q", in.Region, in.ID, in.Verdict, in.Reasons)
		case !legit:
			rogue++
		}
	}
	if rogue != 5 {
		t.Errorf("%d rogue instances; want the attacker's 5", rogue)
	}
}
