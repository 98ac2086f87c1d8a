package debrief

import (
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// ownedFacts is a drill at pace 1 where the attacker's launch template feeds their Auto Scaling
// group, whose instances carry no `by`; the team's template and key pair stand beside them. The
// responder stops the group (taking its instances), deletes both templates and the attacker's key
// pair.
func ownedFacts() Facts {
	group := sim.HoldingKey(sim.HoldingGroup, "us-west-2", "gpu")
	before := []sim.Holding{
		{Kind: sim.HoldingAccessKey, ID: leaked, User: "ci", State: "Active"},
		{Kind: sim.HoldingTemplate, ID: "gpu", Region: "us-west-2", By: leaked, KeyName: "rig"},
		{Kind: sim.HoldingTemplate, ID: "web", Region: "us-east-1", By: "user:maria", KeyName: "prod"},
		{Kind: sim.HoldingGroup, ID: "gpu", Region: "us-west-2", By: "role:autoscaling", Via: sim.HoldingKey(sim.HoldingTemplate, "us-west-2", "gpu")},
		{Kind: sim.HoldingInstance, ID: "i-a", Region: "us-west-2", Type: "g4dn.12xlarge", KeyName: "rig", Via: group, Created: at(-time.Hour), State: "running"},
		{Kind: sim.HoldingKeyPair, ID: "rig", Region: "us-west-2"},
		{Kind: sim.HoldingKeyPair, ID: "prod", Region: "us-east-1"},
		{Kind: sim.HoldingPolicyVersion, ID: "deploy v2", By: leaked, Type: "default"},
		{Kind: sim.HoldingProvider, ID: "tokens.example.net", By: leaked},
		{Kind: sim.HoldingPassword, ID: "svc", User: "svc", By: leaked, Via: sim.HoldingKey(sim.HoldingUser, "", "svc")},
		{Kind: sim.HoldingUser, ID: "svc"},
	}
	after := []sim.Holding{
		{Kind: sim.HoldingAccessKey, ID: leaked, User: "ci", State: "Inactive", Disabled: at(3 * time.Minute), Refused: at(3 * time.Minute)},
		{Kind: sim.HoldingTemplate, ID: "gpu", Region: "us-west-2", By: leaked, KeyName: "rig", State: "deleted", Ended: at(9 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingTemplate, ID: "web", Region: "us-east-1", By: "user:maria", KeyName: "prod", State: "deleted", Ended: at(9 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingInstance, ID: "i-a", Region: "us-west-2", Type: "g4dn.12xlarge", KeyName: "rig", Via: group, Created: at(-time.Hour), State: "terminated", Ended: at(8 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingInstance, ID: "i-b", Region: "us-west-2", Type: "g4dn.12xlarge", KeyName: "rig", Via: group, Created: at(5 * time.Minute), State: "terminated", Ended: at(8 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingKeyPair, ID: "prod", Region: "us-east-1"},
		{Kind: sim.HoldingPolicyVersion, ID: "deploy v2", By: leaked, Type: "default"},
		{Kind: sim.HoldingProvider, ID: "tokens.example.net", By: leaked},
		{Kind: sim.HoldingPassword, ID: "svc", User: "svc", By: leaked, Via: sim.HoldingKey(sim.HoldingUser, "", "svc")},
		{Kind: sim.HoldingUser, ID: "svc"},
		{Kind: sim.HoldingGroup, ID: "gpu", Region: "us-west-2", By: "role:autoscaling", Via: sim.HoldingKey(sim.HoldingTemplate, "us-west-2", "gpu"), State: "deleted", Ended: at(8 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingKeyPair, ID: "rig", Region: "us-west-2", State: "deleted", Ended: at(9 * time.Minute), EndedBy: responder},
	}
	return Facts{Scenario: "owned", Pace: 1, Briefing: briefing, End: at(10 * time.Minute), LeakedKey: leaked,
		Par:    sim.ParTimes{KeyInactive: 5 * time.Minute, InstancesTerminated: 10 * time.Minute},
		Before: before, After: after, Attacker: map[string]bool{leaked: true}}
}

func TestWhatTheAttackersTemplateAndGroupLaunchIsTheAttackersAndOnlyTheTeamsTemplateIsCollateral(t *testing.T) {
	t.Parallel()
	d := Build(ownedFacts())
	if len(d.Collateral) != 1 || d.Collateral[0].Resource != "launch template web in us-east-1" {
		t.Fatalf("collateral = %+v, want the team's template alone", d.Collateral)
	}
	c := d.Collateral[0]
	if c.MadeBy != "maria in the console" || !strings.Contains(c.Evidence, "deleted by "+responder+" at +9m00s") {
		t.Errorf("the charge does not say who made the template and what deleted it: %+v", c)
	}
	// Two miners from the group: one from the briefing to +8m, one from +5m to +8m.
	if want := (8*time.Minute + 3*time.Minute).Hours(); d.InstanceHours < want-1e-9 || d.InstanceHours > want+1e-9 || d.Cost <= 0 {
		t.Errorf("instance-hours %v (want %v), cost %v", d.InstanceHours, want, d.Cost)
	}
	if m := d.Milestones[1]; !m.Reached || m.At != 8*time.Minute {
		t.Errorf("the last rogue instance terminated: %+v, want at +8m", m)
	}
}

func TestTheDebriefStillHeldNamesTheWaysBackIntoIAM(t *testing.T) {
	t.Parallel()
	held := strings.Join(Build(ownedFacts()).StillHeld, "\n")
	for _, want := range []string{
		"policy version deploy v2: the attacker's version is the default",
		"identity provider tokens.example.net: signs in to the roles that trust it",
		"console password of svc: signs in to the console",
	} {
		if !strings.Contains(held, want) {
			t.Errorf("still held lacks %q:\n%s", want, held)
		}
	}
	if strings.Contains(held, "user svc") {
		t.Errorf("the team's user is listed as the attacker's:\n%s", held)
	}
}

// A stolen session is contained when its role denies sessions issued before it: the attacker's
// next call is refused, whatever the session's own state says.
func TestARevokedSessionIsTheLeakedCredentialContained(t *testing.T) {
	t.Parallel()
	const session = "ASIAEXAMPLEAPPSRV001"
	f := Facts{Scenario: "temporary", Pace: 1, Briefing: briefing, End: at(20 * time.Minute), LeakedKey: session,
		Par: sim.ParTimes{KeyInactive: 10 * time.Minute}, Attacker: map[string]bool{session: true},
		After: []sim.Holding{{Kind: sim.HoldingSession, ID: session, Type: "app-server", State: "revoked",
			Ended: at(12 * time.Second), Refused: at(12 * time.Second), RefusedWhy: "its role app-server denies sessions issued before 03:00:12"}}}
	m := Build(f).Milestones[0]
	if !m.Reached || m.At != 12*time.Second || m.Name != "leaked session revoked" {
		t.Errorf("the revoked session's milestone: %+v", m)
	}
	if d := Build(f); d.Score.Parts[0] != (Part{100, 100}) { // the only milestone with a par
		t.Errorf("the credential's part of the score: %+v", d.Score.Parts[0])
	}
}

// The attacker deleting the account's own resource, or the responder rotating a key (a new key
// made for its user), is not collateral of the response.
func TestOnlyTheResponsesOwnChangesAreCollateral(t *testing.T) {
	t.Parallel()
	f := Facts{Scenario: "x", Pace: 1, Briefing: briefing, End: at(time.Hour), LeakedKey: leaked,
		Attacker: map[string]bool{leaked: true},
		Before: []sim.Holding{
			{Kind: sim.HoldingInstance, ID: "i-web", Region: "us-east-1", Type: "m5.large", State: "running"},
			{Kind: sim.HoldingAccessKey, ID: "AKIAOLDKEY", User: "maria", State: "Active"},
		},
		After: []sim.Holding{
			{Kind: sim.HoldingInstance, ID: "i-web", Region: "us-east-1", Type: "m5.large", State: "terminated", Ended: at(time.Minute), EndedBy: leaked},
			{Kind: sim.HoldingAccessKey, ID: "AKIAOLDKEY", User: "maria", State: "Inactive", Disabled: at(2 * time.Minute), EndedBy: responder},
			{Kind: sim.HoldingAccessKey, ID: "AKIANEWKEY", User: "maria", By: responder, Created: at(2 * time.Minute), State: "Active"},
		}}
	if got := Build(f).Collateral; len(got) != 0 {
		t.Errorf("collateral = %+v, want none", got)
	}
}
