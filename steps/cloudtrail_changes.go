package steps

import (
	"fmt"
	"time"

	"lockdown/aws"
)

// byHandUndo stands for the operator where no step of the runbook undoes a change; the steps
// that do are named as the verification names them (verify_checks.go).
const byHandUndo = "by hand"

// AttackerChange is one resource an attacker event created or changed, and who deals with it:
// a step of the runbook, or the operator by hand when lockdown has no action for it.
type AttackerChange struct {
	Time       time.Time   `json:"time"`
	Region     string      `json:"region"`
	Event      string      `json:"event"`
	EventID    string      `json:"event_id"`
	Credential string      `json:"credential"`
	Resource   aws.Touched `json:"resource"`
	// HandledBy is the title of the step that undoes it; empty when it is left to the operator.
	HandledBy string `json:"handled_by,omitempty"`
	// Manual says what to undo by hand, with the resource's ARN.
	Manual string `json:"manual,omitempty"`
}

// attackerChanges lists every resource the attacker's successful writes created or changed, in
// timeline order, each with the step that handles it or, where lockdown has no action, a manual
// item naming its ARN.
func attackerChanges(f *aws.Footprint) []AttackerChange {
	// The users the attacker created: a console password given to an older user makes it an
	// attacker credential too, but that user stays (Remove IAM persistence deletes the password).
	created := map[string]bool{}
	for _, e := range f.Timeline {
		if e.EventName == "CreateUser" {
			created[e.EventID] = true
		}
	}
	made := attackerMade{users: map[string]bool{}, roles: map[string]bool{}}
	for _, c := range f.Credentials {
		if c.Kind == "user" && created[c.EventID] {
			made.users[c.ID] = true
		}
	}
	for _, e := range f.Timeline {
		if e.EventName == "CreateRole" {
			for _, t := range e.Touched() {
				made.roles[t.ID] = true
			}
		}
	}
	var out []AttackerChange
	for _, e := range f.Timeline {
		for _, t := range e.Touched() {
			c := AttackerChange{Time: e.Time, Region: e.Region, Event: e.EventName, EventID: e.EventID, Credential: e.Credential, Resource: t}
			c.HandledBy = handlingStep(t, e.EventName, made)
			if c.HandledBy == "" {
				c.Manual = manualItem(c)
			}
			out = append(out, c)
		}
	}
	return out
}

// attackerMade are the users and roles the attacker created: what is done to them goes with them.
type attackerMade struct{ users, roles map[string]bool }

// handlingStep is the title of the step that undoes a change, or "" when none does.
func handlingStep(t aws.Touched, event string, made attackerMade) string {
	attackerUsers := made.users
	switch {
	case t.Kind == "role" && made.roles[t.ID]:
		// Revoke role sessions deletes the attacker's role with its policies.
		return byRevoke
	case iamPersistenceEvent(event) && !attackerUsers[t.ID]:
		return byIAMPersistence
	case contains(loggingEvents, event):
		// Restore logging starts the trail, puts back its selectors and enables or re-creates the
		// detector; it names a deleted trail's settings for the operator to create it again.
		return byLogging
	case event == "CreateKeyPair" || event == "ImportKeyPair":
		return byKeyPairs
	case event == "AuthorizeSecurityGroupIngress" || t.Kind == aws.TouchedSnapshotShare || t.Kind == aws.TouchedImageShare:
		// Close what the attacker opened revokes the rules the event added (by the ids its record
		// names, or the rules matching what it asked for) and takes the accounts it added off the
		// snapshot or AMI.
		return byExposure
	}
	switch t.Kind {
	case "instance", "spot request":
		return byTerminate
	case aws.TouchedScalingGroup, aws.TouchedLaunchTemplate, aws.TouchedSpotFleet, aws.TouchedEC2Fleet:
		return byRespawners
	case "access key":
		// A key on a user the attacker created goes with the user; on a user that was there
		// before, it is the attacker-keys step's.
		if attackerUsers[t.User] {
			return byRemove
		}
		return byAttacker
	case "user":
		// The removal step deletes users the attacker created, whole. A change to a user that was
		// there before (a console password, a policy) is undone by hand.
		if attackerUsers[t.ID] {
			return byRemove
		}
	case "role":
		if event == "CreateRole" {
			return byRevoke
		}
	case "session":
		if t.Role != "" {
			return byRevoke
		}
		// GetSessionToken: the containment's deny on tokens issued before now cuts it.
		return byContain
	}
	return ""
}

// loggingEvents are the events whose change Restore logging undoes or, for a deleted trail, lists.
var loggingEvents = []string{"StopLogging", "DeleteTrail", "PutEventSelectors", "PutAdvancedEventSelectors", "UpdateDetector", "DeleteDetector"}

// iamPersistenceEvent reports an event whose change Remove IAM persistence undoes.
func iamPersistenceEvent(event string) bool {
	return contains(iamPersistenceEvents, event) || event == "CreateVirtualMFADevice" || event == "SetDefaultPolicyVersion"
}

// manualItem says what the operator undoes by hand, naming the resource by its ARN.
func manualItem(c AttackerChange) string {
	what := c.Resource.Kind + " " + c.Resource.ID
	if c.Resource.ARN != "" {
		what += " (" + c.Resource.ARN + ")"
	}
	return fmt.Sprintf("undo by hand: %s on %s, by %s at %s (CloudTrail event %s); lockdown has no action for it",
		c.Event, what, c.Credential, c.Time.UTC().Format("2006-01-02 15:04:05Z"), c.EventID)
}

// ManualItems are the attacker's changes lockdown cannot undo, in words, for the report's open
// items and the verification's remaining list.
func (f *TraceFindings) ManualItems() []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, c := range f.Changes {
		if c.Manual != "" {
			out = append(out, c.Manual)
		}
	}
	return out
}

// handlers names, per event, the steps (or "by hand") that deal with what it changed.
func handlers(changes []AttackerChange) map[string][]string {
	out := map[string][]string{}
	for _, c := range changes {
		h := c.HandledBy
		if h == "" {
			h = byHandUndo
		}
		if list := out[c.EventID]; len(list) == 0 || list[len(list)-1] != h {
			out[c.EventID] = append(list, h)
		}
	}
	return out
}
