// Package debrief scores a drill: how fast the responder contained the simulated attacker, what the
// attacker's calls achieved, what the rogue instances cost, what else the response changed, and
// what the attacker still held, against the scenario's par times.
package debrief

import (
	"slices"
	"strings"
	"time"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

// Facts are what a debrief is made from. Every time is on the simulated account's clock, so the
// same scenario, clock and key presses give the same debrief.
type Facts struct {
	Scenario string
	// Pace is how many times faster than the responder's the attacker's clock ran (1 = real time).
	Pace float64
	// Briefing is when the drill started; End when the debrief was drawn.
	Briefing, End time.Time
	LeakedKey     string
	Par           sim.ParTimes
	Attacks       []sim.AttackRecord
	// Before and After are the account's holdings at the briefing and at the end.
	Before, After []sim.Holding
	// Attacker are the attacker's credentials: whatever they made is theirs.
	Attacker map[string]bool
	// Containment is what the last verification said, from the journal.
	Containment runbooks.Containment
}

// Debrief is a scored drill.
type Debrief struct {
	Scenario string
	Pace     float64
	// Length is the drill's length in the responder's time; AttackerLength on the attacker's clock.
	Length, AttackerLength time.Duration
	Milestones             []Milestone
	Credentials            []Credential
	Chart                  Chart
	// InstanceHours are the attacker's instances' hours during the drill, on the attacker's clock,
	// and Cost their on-demand price; Unpriced names types the price table lacks.
	InstanceHours float64
	Cost          float64
	Unpriced      []string
	Collateral    []Charge
	StillHeld     []string
	Containment   runbooks.Containment
	Score         Score
	briefing      time.Time
}

// Milestone is one point of the response the score times.
type Milestone struct {
	Name    string
	Reached bool
	// At is the time from the briefing in the responder's time; AttackerAt on the attacker's clock.
	At, AttackerAt time.Duration
	// Why says what is missing when the milestone was not reached; How, how it was reached when
	// that is worth saying (the leaked credential deactivated, or its role denying it).
	Why, How string
	Par      time.Duration
	// Mark is the letter the chart marks the milestone with.
	Mark rune
}

// Credential is what the attacker achieved with one key: calls that worked and calls refused, with
// the last that worked and the first refused, on the attacker's clock from the briefing.
type Credential struct {
	KeyID                     string
	Worked, Refused           int
	LastWorked, FirstRefused  time.Duration
	HasWorked, HasBeenRefused bool
}

// Build scores the facts.
func Build(f Facts) *Debrief {
	if f.Pace <= 0 {
		f.Pace = 1
	}
	d := &Debrief{Scenario: f.Scenario, Pace: f.Pace, AttackerLength: f.End.Sub(f.Briefing), Containment: f.Containment, briefing: f.Briefing}
	d.Length = f.responderTime(f.End)
	own := ownership(f)
	d.Milestones = milestones(f, own)
	d.Credentials = credentials(f)
	d.Chart = chart(f, d.Milestones)
	d.InstanceHours, d.Cost, d.Unpriced = instanceCost(f, own)
	d.Collateral = collateral(f, own)
	d.StillHeld = stillHeld(f, own)
	d.Score = score(d.Milestones, len(d.Collateral))
	return d
}

// responderTime is how long after the briefing t was, in the responder's time.
func (f Facts) responderTime(t time.Time) time.Duration {
	return time.Duration(float64(t.Sub(f.Briefing)) / f.Pace).Round(time.Second)
}

func milestones(f Facts, own *owner) []Milestone {
	return []Milestone{credentialMilestone(f), instancesMilestone(f, own), containedMilestone(f)}
}

// credentialMilestone is reached when the attacker's next call with the leaked credential would
// be refused: a key deactivated or deleted, a session whose role denies it or is gone.
func credentialMilestone(f Facts) Milestone {
	key := Milestone{Name: "leaked key inactive", Par: f.Par.KeyInactive, Mark: 'K', Why: "the leaked key still works"}
	if strings.HasPrefix(f.LeakedKey, "ASIA") {
		key.Name, key.Why = "leaked session revoked", "the leaked session still works"
	}
	for _, h := range f.After {
		if h.ID != f.LeakedKey || (h.Kind != sim.HoldingAccessKey && h.Kind != sim.HoldingSession) {
			continue
		}
		if at := firstSet(time.Time{}, h.Refused, h.Disabled, h.Ended); !at.IsZero() && (!h.Refused.IsZero() || !h.Lasts()) {
			key.reach(f, at)
			key.How = h.RefusedWhy
		}
	}
	return key
}

func instancesMilestone(f Facts, own *owner) Milestone {
	inst := Milestone{Name: "last rogue instance terminated", Par: f.Par.InstancesTerminated, Mark: 'I'}
	last, running := f.Briefing, 0
	for _, h := range f.After {
		if h.Kind != sim.HoldingInstance || !own.attackers(h) {
			continue
		}
		if h.Lasts() {
			running++
		} else if h.Ended.After(last) {
			last = h.Ended
		}
	}
	if running == 0 {
		inst.reach(f, last)
	} else {
		inst.Why = plural(running, "rogue instance") + " not terminated"
	}
	return inst
}

func containedMilestone(f Facts) Milestone {
	contained := Milestone{Name: "verified contained", Par: f.Par.Contained, Mark: 'C', Why: "no verification said contained"}
	if c := f.Containment; c.Verdict == runbooks.Contained && !c.ChangedSince {
		contained.reach(f, c.At)
	} else if c.Verdict == runbooks.Contained {
		contained.Why = "changes were applied after the verification that said contained"
	}
	return contained
}

func (m *Milestone) reach(f Facts, at time.Time) {
	if at.Before(f.Briefing) {
		at = f.Briefing
	}
	m.Reached, m.Why = true, ""
	m.At, m.AttackerAt = f.responderTime(at), at.Sub(f.Briefing)
}

// firstSet is the earliest of the times that are set, or fallback when none is.
func firstSet(fallback time.Time, times ...time.Time) time.Time {
	var set []time.Time
	for _, t := range times {
		if !t.IsZero() {
			set = append(set, t)
		}
	}
	if len(set) == 0 {
		return fallback
	}
	return slices.MinFunc(set, time.Time.Compare)
}

func credentials(f Facts) []Credential {
	var out []Credential
	at := map[string]int{}
	for _, a := range f.Attacks {
		i, ok := at[a.AccessKeyID]
		if !ok {
			i = len(out)
			at[a.AccessKeyID] = i
			out = append(out, Credential{KeyID: a.AccessKeyID})
		}
		c, when := &out[i], a.Time.Sub(f.Briefing)
		if a.Succeeded() {
			c.Worked++
			c.LastWorked, c.HasWorked = when, true
		} else {
			c.Refused++
			if !c.HasBeenRefused {
				c.FirstRefused, c.HasBeenRefused = when, true
			}
		}
	}
	return out
}
