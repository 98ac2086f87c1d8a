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
// tracedFalsePositive serves the false-positive account and traces its leaked key, as the run's
// trace step would before the later steps judge.
func tracedFalsePositive(t *testing.T, mode Mode) (*Env, *simtest.Sim) {
	t.Helper()
	s := simtest.Start(t, "false-positive", drillStart)
	env := envOf(s.Account(t, aws.Options{Mode: mode, LookupInterval: time.Millisecond}))
	env.Since, env.Now = s.Server.IncidentStart(), s.Clock.Now
	env.Inputs["access_key_id"] = "AKIAEXAMPLELEAKED003"
	_, found := traceNow(t, env)
	env.Trace = found.Evidence
	return env, s
}

func TestInTheFalsePositiveDrillTheVerdictsLeaveTheTeamsWorkAlone(t *testing.T) {
	t.Parallel()
	env, _ := tracedFalsePositive(t, DryRun)
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

// TestInTheFalsePositiveDrillTheTeamLeadsWorkAndTheRestartedWorkerAreJudgedByEvidence: Maria, the
// team lead, made a key pair and a launch template after T0 and launched a debugging instance with
// them; the attacker replaced the user data of the team's reports worker and restarted it; keys of
// colleagues were used after T0. Traced, none of the team's is proposed, each row says who made
// it, the worker is offered a stop with its user data before and after, and only the leaked key's
// user is preselected for rotation.
func TestInTheFalsePositiveDrillTheTeamLeadsWorkAndTheRestartedWorkerAreJudgedByEvidence(t *testing.T) {
	t.Parallel()
	env, _ := tracedFalsePositive(t, DryRun)
	ctx := context.Background()

	pairs, err := DeleteKeyPairs{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range pairs.Table.Rows {
		if strings.Contains(r.ID, "/key-") && r.Cells[1] == "maria-debug" {
			if r.Selected || !strings.Contains(strings.Join(r.Reasons, " "), "user/maria") {
				t.Errorf("Maria's key pair is proposed or its row does not say she made it: %+v", r)
			}
		}
	}
	if got := pairs.Table.SelectedIDs(); len(got) != 1 || !strings.HasPrefix(got[0], "ap-southeast-1/") {
		t.Errorf("key pairs proposed: %v; want only the attacker's rig", got)
	}
	if !strings.Contains(pairs.Summary, "2 created after T0, 1 proposed") {
		t.Errorf("the summary miscounts the key pairs made after T0 (the attacker's and Maria's): %q", pairs.Summary)
	}

	respawners, err := StopRespawners{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := respawners.Table.SelectedIDs(); len(got) != 0 {
		t.Errorf("respawners proposed: %v; the only one is Maria's launch template", got)
	}
	for _, r := range respawners.Table.Rows {
		if !strings.Contains(strings.Join(r.Reasons, " "), "user/maria") {
			t.Errorf("the template's row does not say Maria made it: %q", r.Reasons)
		}
	}

	term, err := TerminateInstances{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	findings := term.Data.(*InstanceFindings)
	worker, ok := findings.Instance("i-0b5e11ef00a1b2c3d")
	if !ok || worker.Verdict != VerdictSuspicious || worker.UserData == nil {
		t.Fatalf("the restarted worker is %s (%q), want suspicious with its user data change", worker.Verdict, worker.Reasons)
	}
	if !worker.UserData.OldKnown || !strings.Contains(worker.UserData.Old, "/opt/reports/bin/worker") || !strings.Contains(worker.UserData.New, "198.51.100.23") {
		t.Errorf("the user data before and after: %+v", worker.UserData)
	}
	selected := term.Table.SelectedIDs()
	if !slices.Contains(selected, worker.ID) {
		t.Errorf("the worker is not preselected for a stop: %v", selected)
	}
	plan, err := TerminateInstances{}.Plan(ctx, env, term, selected)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if c.Target == worker.ID && c.Op != OpStop {
			t.Errorf("the worker is planned %s, want a stop: %+v", c.Op, c)
		}
		if c.Target == worker.ID && !strings.Contains(c.Summary, "restore its user data") {
			t.Errorf("the stop does not name the change to undo: %s", c.Summary)
		}
	}
	if !slices.ContainsFunc(plan.Changes, func(c Change) bool { return c.Op == OpStop && c.Target == worker.ID }) {
		t.Errorf("no stop of the worker in the plan: %+v", plan.Changes)
	}

	rotate, err := RotateKeys{}.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rotate.Table.SelectedIDs(); !slices.Equal(got, []string{"release-bot"}) {
		t.Errorf("users preselected for rotation: %v; want only the leaked key's user", got)
	}
	for _, r := range rotate.Table.Rows {
		if r.ID == "ci-runners" && !strings.Contains(strings.Join(r.Reasons, " "), "ec2 in eu-west-1") {
			t.Errorf("the CI key's row does not say who used it from where: %q", r.Reasons)
		}
	}
}
