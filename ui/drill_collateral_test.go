package ui

import (
	"strings"
	"testing"

	"lockdown/aws/sim"
	"lockdown/debrief"
	"lockdown/runbooks"
	"lockdown/steps"
)

// followVerdict applies what a step proposes on its own — its verdicts' preselection — and its
// follow-up; a step that proposes nothing is left as it is.
func (d *drillSession) followVerdict(stepID string) {
	d.t.Helper()
	d.goTo(stepID)
	d.inspect()
	d.plan()
	if plan := d.run.Status(stepID).Plan; plan == nil || len(plan.Changes) == 0 {
		return
	}
	d.openConfirm()
	d.confirmAsAsked()
	d.idle(stepID + " is applied")
	if fu := d.run.Status(stepID).Outcome.FollowUp; fu != nil {
		d.openConfirm()
		d.confirmAsAsked()
		d.idle(stepID + "'s follow-up is applied")
	}
}

// legitimateAfterT0 is an instance of the account's own launched after T0 and still running: one
// a rule of thumb on launch times would call rogue.
func legitimateAfterT0(t *testing.T, srv *sim.Server) sim.Holding {
	t.Helper()
	attacker := srv.AttackerCredentials()
	for _, h := range srv.Holdings() {
		if h.Kind == sim.HoldingInstance && !attacker[h.By] && h.Created.After(srv.IncidentStart()) && h.State == "running" {
			return h
		}
	}
	t.Fatal("the scenario has no legitimate instance launched after T0")
	return sim.Holding{}
}

// scenariosWithLegitimateActivityAfterT0 are the built-in scenarios where the account's own
// instances were launched after T0, beside the attacker's.
var scenariosWithLegitimateActivityAfterT0 = []string{"crypto-miner", "false-positive"}

func TestDrillFollowingTheVerdictsChangesNothingOfTheAccountsOwnAndSelectingItAnywayIsCollateral(t *testing.T) {
	t.Parallel()
	for _, scenario := range scenariosWithLegitimateActivityAfterT0 {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			d := startDrillSession(t, drillOptions{mode: steps.Drill, scenario: scenario})
			titles := map[string]string{}
			for _, st := range d.run.Statuses() {
				titles[st.Step.ID] = st.Step.Title
			}
			watch := debrief.Watch(d.srv, 1, d.journal, titles)
			legit := legitimateAfterT0(t, d.srv)

			d.goTo("trace-attacker") // CloudTrail tells the account's own launches from the attacker's
			d.typeText(d.srv.Scenario().Attacker.AccessKeyID)
			d.press("enter")
			d.idle("the trace")
			for _, readOnly := range []string{"credential-inventory", "find-rogue-instances"} {
				d.goTo(readOnly)
				d.inspect()
			}
			for _, step := range []string{"remove-rogue-users", "disable-attacker-keys", "terminate-instances"} {
				d.followVerdict(step)
			}
			if d.run.Status("terminate-instances").State != runbooks.StateDone {
				t.Fatalf("the termination is %s:\n%s", d.run.Status("terminate-instances").State, d.screen())
			}
			if got := watch.Debrief(); len(got.Collateral) != 0 || got.Score.Penalty != 0 {
				t.Fatalf("following the verdicts, the debrief counts collateral %q", got.Collateral)
			}
			// Everything of the account's own made after T0 — instances, users, keys — still works.
			attacker := d.srv.AttackerCredentials()
			for _, h := range d.srv.Holdings() {
				kinds := map[string]bool{sim.HoldingInstance: true, sim.HoldingUser: true, sim.HoldingAccessKey: true}
				own := !attacker[h.By] && !attacker[h.ID] && kinds[h.Kind]
				if own && h.Created.After(d.srv.IncidentStart()) && !h.Lasts() {
					t.Errorf("following the verdicts, the account's own %s %s is %s", h.Kind, h.ID, h.State)
				}
			}

			// The operator selects one of the account's own instances anyway, and terminates it.
			d.goTo("terminate-instances")
			d.inspect()
			d.press("/")
			d.typeText(legit.ID)
			d.press("enter", "space", "esc")
			d.plan()
			if plan := d.run.Status("terminate-instances").Plan; plan == nil || !strings.Contains(changeTargets(plan), legit.ID) {
				t.Fatalf("the plan does not terminate %s:\n%s", legit.ID, d.screen())
			}
			d.openConfirm()
			d.confirmAsAsked()
			d.idle("the termination")
			got := watch.Debrief()
			want := "instance " + legit.ID + " (" + legit.Type + ") in " + legit.Region + " terminated at +"
			if len(got.Collateral) != 1 || !strings.HasPrefix(got.Collateral[0].Resource+" "+got.Collateral[0].Change+" at +", want) || got.Score.Penalty != debrief.CollateralPenalty {
				t.Errorf("the debrief's collateral is %q (penalty %d), want %q…", got.Collateral, got.Score.Penalty, want)
			}
		})
	}
}

func changeTargets(plan *steps.Plan) string {
	var out []string
	for _, c := range plan.Changes {
		out = append(out, c.Target)
	}
	return strings.Join(out, " ")
}
