package runbooks

import (
	"fmt"
	"time"

	"lockdown/steps"
)

// Write-ahead entries: every change is journaled as intended before its call and settled after it,
// so a kill at any moment leaves a record that names the changes whose fate is not known.
const (
	KindIntent  = "intent"  // a change about to be made, on disk before its call is sent
	KindSettled = "settled" // what the call did, on disk before the next call
)

// CallOutcome is what became of a change's call.
type CallOutcome string

const (
	CallDone   CallOutcome = "done"
	CallFailed CallOutcome = "failed"
	// CallUnknown: the call was sent and its answer lost (a timeout, a dropped connection): AWS
	// may or may not have acted, and only reading the account tells.
	CallUnknown CallOutcome = "unknown"
)

// Settlement is what a call did to one change. Ref names what the call made, such as a new
// access key's id, so a resumed run can recognise it as lockdown's own; never a secret.
type Settlement struct {
	ChangeID string      `json:"change"`
	Outcome  CallOutcome `json:"outcome"`
	Code     string      `json:"code,omitempty"`
	Message  string      `json:"message,omitempty"`
	Ref      string      `json:"ref,omitempty"`
	// Orphans are keys a create's lost answers made, whose secrets nobody held: deleted before
	// the key in Ref was made.
	Orphans []string `json:"orphans,omitempty"`
}

type intentData struct {
	Change steps.Change `json:"change"`
	// KeysBefore are the user's access keys before a create: any other key found later was made
	// by this create (or after it).
	KeysBefore []string `json:"keys_before,omitempty"`
	// KeysRead says KeysBefore was read, even when it is empty.
	KeysRead bool `json:"keys_read,omitempty"`
	// By is who lockdown acted as (its principal's ARN) when it made a create: CloudTrail then
	// tells the key that call made from one anybody else made.
	By string `json:"by,omitempty"`
	// ActedAs is the identity about to make the change, in the entry's account.
	ActedAs string `json:"acted_as,omitempty"`
}

// Ledger journals one step's changes around their calls. Each method returns once its entry is
// synced to disk; when it fails, the call must not be made, because it could not be accounted for.
// It is safe for concurrent use by workers of different regions.
type Ledger struct {
	run  *Run
	env  steps.Env
	step string
}

// Ledger returns the write-ahead record of a step's changes, stamped as the run stamps its entries.
func (r *Run) Ledger(stepID string) (*Ledger, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.lookup(stepID)
	if err != nil {
		return nil, err
	}
	return &Ledger{run: r, env: *r.env(st), step: stepID}, nil
}

// Intend records that c is about to be made.
func (l *Ledger) Intend(c steps.Change) error { return l.intend(c, nil, "") }

// intend records that c is about to be made, with the keys its user had before and who lockdown
// acts as when it creates one.
func (l *Ledger) intend(c steps.Change, keysBefore []string, by string) error {
	return l.run.record(l.run.entry(&l.env, l.step, KindIntent, "about to "+c.Summary, intentData{Change: c, KeysBefore: keysBefore, KeysRead: keysBefore != nil, By: by, ActedAs: actingAs(&l.env)}))
}

// Settle records what the call for a change did.
func (l *Ledger) Settle(s Settlement) error {
	msg := fmt.Sprintf("%s: %s", s.Outcome, s.ChangeID)
	if s.Message != "" {
		msg += " (" + s.Message + ")"
	}
	return l.run.record(l.run.entry(&l.env, l.step, KindSettled, msg, s))
}

// PendingChange is a change that was intended and whose outcome is not known: the call's answer
// was lost, or lockdown stopped between recording the intent and the outcome.
type PendingChange struct {
	Step     string       `json:"step"`
	Change   steps.Change `json:"change"`
	Intended time.Time    `json:"intended"`
	// Outcome is CallUnknown when the answer was lost, "" when nothing was recorded after the intent.
	Outcome CallOutcome `json:"outcome,omitempty"`
	// KeysBefore are, for a create, the user's keys before the call; KeysRead says they were
	// recorded at all (without them no key can be told for the one the call made).
	KeysBefore []string `json:"keys_before,omitempty"`
	KeysRead   bool     `json:"keys_read,omitempty"`
	// By is who lockdown acted as when it sent a create; Until is the last moment its journal
	// shows the run alive, so a call it sent was made between Intended and about Until.
	By    string    `json:"by,omitempty"`
	Until time.Time `json:"until,omitempty"`
	// incident is the journal that intended it.
	incident string
}

// PendingChanges lists, in the order they were intended, the changes a resumed run must reconcile
// by reading the account. A change is settled by its latest done or failed outcome; intending it
// again (a retry) makes it pending until that call settles too.
func PendingChanges(entries []Entry) []PendingChange {
	var order []string
	ordered := map[string]bool{}
	pending := map[string]*PendingChange{}
	alive := map[string]time.Time{}
	for _, e := range entries {
		if e.Time.After(alive[e.Incident]) {
			alive[e.Incident] = e.Time
		}
		data, _ := e.Data.(map[string]any)
		switch e.Kind {
		case KindIntent:
			change := data["change"]
			c := steps.Change{ID: field(change, "id"), Op: field(change, "op"), Region: field(change, "region"),
				Target: field(change, "target"), Summary: field(change, "summary")}
			key := e.Step + "\x00" + c.ID
			if !ordered[key] {
				ordered[key] = true
				order = append(order, key)
			}
			pending[key] = &PendingChange{Step: e.Step, Change: c, Intended: e.Time, KeysBefore: stringList(data["keys_before"]),
				KeysRead: data["keys_read"] == true, By: field(data, "by"), incident: e.Incident}
		case KindSettled:
			p := pending[e.Step+"\x00"+field(data, "change")]
			if p == nil {
				continue
			}
			if CallOutcome(field(data, "outcome")) == CallUnknown {
				p.Outcome = CallUnknown
			} else {
				delete(pending, e.Step+"\x00"+p.Change.ID)
			}
		}
	}
	var out []PendingChange
	for _, key := range order {
		if p, ok := pending[key]; ok {
			p.Until = alive[p.incident]
			out = append(out, *p)
		}
	}
	return out
}

// stringList reads a JSON list of strings; anything else gives nil.
func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, item := range list {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
