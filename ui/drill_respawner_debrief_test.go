package ui

import (
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/debrief"
	"lockdown/steps"
)

// respawnerScenario is a small account whose leaked key's only miners stand behind one kind of
// respawner the attacker made before the drill: the instances it launched carry no `by` of their
// own, as AWS's do not (the group or fleet launched them, not the attacker's key). Beside it, the
// team's own production instance and launch template.
func respawnerScenario(kind string) string {
	const leaked = "AKIAEXAMPLELEAKED009"
	base := `name: respawner-` + kind + `
par: {key_inactive: 5m, instances_terminated: 20m, contained: 30m}
seed: 9
account: {id: "123412341234", alias: acme-respawn}
incident_start: -3h
responder: {user: oncall, access_key_id: AKIAEXAMPLERESPOND09, secret_access_key: drill/responder/secret/key/0000000000009}
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: us-west-2, opt_in: opt-in-not-required}
iam:
  users:
    - {name: ci, created: -400d, access_keys: [{id: ` + leaked + `, created: -200d}]}
    - {name: oncall, created: -600d}
ec2:
  key_pairs:
    - {region: us-east-1, name: prod, created: -500d}
    - {region: us-west-2, name: rig, created: -2h50m}
  instances:
    - {region: us-east-1, type: m5.large, launched: -300d, key_name: prod, tags: {Name: web}}
`
	switch kind {
	case "auto-scaling-group":
		return base + `  launch_templates:
    - {region: us-east-1, name: web, type: m5.large, key_name: prod, created: -300d}
    - {region: us-west-2, name: gpu, type: g4dn.12xlarge, key_name: rig, created: -2h45m, by: ` + leaked + `}
autoscaling:
  groups:
    - {region: us-west-2, name: gpu, launch_template: gpu, min: 2, max: 2, desired: 2, created: -2h40m, by: ` + leaked + `}
attacker: {access_key_id: ` + leaked + `}
`
	case "spot-fleet":
		return base + `  spot_fleets:
    - {region: us-west-2, type: maintain, target: 2, instance_type: p3.8xlarge, created: -2h40m, by: ` + leaked + `}
attacker: {access_key_id: ` + leaked + `}
`
	case "ec2-fleet":
		return base + `  fleets:
    - {region: us-west-2, type: maintain, target: 2, instance_type: g5.12xlarge, created: -2h40m, by: ` + leaked + `}
attacker: {access_key_id: ` + leaked + `}
`
	}
	// A persistent spot request: its replacements are launched by the request, not by a call.
	return base + `    - {region: us-west-2, type: p3.16xlarge, launched: -2h30m, key_name: rig, by: ` + leaked + `, spot: {type: persistent, created: -2h30m}}
attacker: {access_key_id: ` + leaked + `}
`
}

// In a drill whose miners stand behind the attacker's Auto Scaling group, spot fleet, EC2 fleet
// or persistent spot request, stopping the respawner and terminating the miners as lockdown
// proposes charges no collateral for them, counts their instance-hours and cost, and times the
// last one's termination.
func TestDrillTheAttackersRespawnedMinersAreTheirsInTheDebrief(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"auto-scaling-group", "spot-fleet", "ec2-fleet", "persistent-spot-request"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := simtest.Start(t, respawnerScenario(kind), drillT0)
			d := startSession(t, sessionTarget{mode: steps.Drill, wire: s.Watch(t), url: s.URL,
				acct:  s.Account(t, aws.Options{Mode: steps.Drill, LookupInterval: time.Millisecond}),
				since: s.Server.IncidentStart(), now: s.Clock.Now})
			d.srv = s.Server
			watch := debrief.Watch(s.Server, 1, d.journal, nil)
			leaked := s.Server.Scenario().Attacker.AccessKeyID

			s.Clock.Advance(2 * time.Minute)
			d.goTo("trace-attacker")
			d.typeText(leaked)
			d.press("enter")
			d.idle("the trace")
			d.goTo("find-rogue-instances")
			d.inspect()
			s.Clock.Advance(8 * time.Minute)
			d.followVerdict("stop-respawners") // a group or fleet takes its instances with it
			d.goTo("terminate-instances")
			d.inspect()
			if len(d.m.current().table.SelectedIDs()) > 0 {
				d.followVerdict("terminate-instances")
			}

			got := watch.Debrief()
			if len(got.Collateral) != 0 {
				t.Errorf("the attacker's miners are charged as collateral:\n%s", strings.Join(got.Lines(), "\n"))
			}
			if got.InstanceHours <= 0 || got.Cost <= 0 {
				t.Errorf("instance-hours %.2f, cost %.2f: the respawned miners are not counted", got.InstanceHours, got.Cost)
			}
			inst := got.Milestones[1]
			if !inst.Reached || inst.At != 10*time.Minute {
				t.Errorf("last rogue instance terminated: %+v, want reached at +10m", inst)
			}
			for _, h := range s.Server.Holdings() {
				if h.Kind == sim.HoldingInstance && h.Region == "us-west-2" && h.Lasts() {
					t.Errorf("miner %s is %s after the response", h.ID, h.State)
				}
			}
			if held := strings.Join(got.StillHeld, "\n"); strings.Contains(held, "instance") {
				t.Errorf("the debrief says the attacker still holds instances:\n%s", held)
			}
		})
	}
}
