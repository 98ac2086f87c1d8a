package sim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// AttackerSpec is the attacker's timeline: API calls made with the leaked key, or with a backdoor
// key the attacker created. A call made after its key was deactivated or deleted fails exactly as
// it would in AWS, which is how a drill shows containment — and a forgotten backdoor — at work.
type AttackerSpec struct {
	AccessKeyID string        `yaml:"access_key_id"`
	Events      []AttackEvent `yaml:"events"`
	// SourceIP is the address CloudTrail records for the attacker's calls (default 203.0.113.7).
	SourceIP string        `yaml:"source_ip"`
	Sessions []SessionSpec `yaml:"sessions"`
	// History holds calls made before the drill that only CloudTrail remembers.
	History []PastCall `yaml:"history"`
}

// AttackEvent is one call, or a repeating one (Every, up to Times occurrences). AccessKeyID, when
// set, signs the call with another key than the leaked one — a backdoor the attacker created.
type AttackEvent struct {
	At          When           `yaml:"at"`
	AccessKeyID string         `yaml:"access_key_id"`
	Every       string         `yaml:"every"`
	Times       int            `yaml:"times"`
	Note        string         `yaml:"note"`
	Service     string         `yaml:"service"`
	Region      string         `yaml:"region"`
	Action      string         `yaml:"action"`
	Params      map[string]any `yaml:"params"`
}

// AttackRecord is what one attacker call did, for the drill's debrief.
type AttackRecord struct {
	Time        time.Time
	AccessKeyID string
	Note        string
	Action      string
	Region      string
	Code        string
	Message     string
}

// Succeeded reports whether the attacker's call worked.
func (r AttackRecord) Succeeded() bool { return r.Code == "" }

// maxRepeats bounds a repeating event that has no Times, so a forgotten drill cannot grow forever.
const maxRepeats = 200

func (a *AttackerSpec) validate() error {
	for i, c := range a.History {
		if err := c.validate(); err != nil {
			return fmt.Errorf("attacker.history[%d]%s", i, underKey(err))
		}
	}
	for i, e := range a.Events {
		if e.Service == "" || e.Action == "" {
			return fmt.Errorf("attacker.events[%d]: service and action are required", i)
		}
		if err := checkTimedCall(e); err != nil {
			return fmt.Errorf("attacker.events[%d]%s", i, underKey(err))
		}
		if e.Every != "" {
			if d, err := time.ParseDuration(e.Every); err != nil || d <= 0 {
				return fmt.Errorf("attacker.events[%d].every: %q is not a positive duration", i, e.Every)
			}
		}
	}
	return nil
}

// underKey joins an entry's error to its path: ".params: …" when it names one of the entry's keys,
// so the problem is placed there, ": …" otherwise.
func underKey(err error) string {
	msg := err.Error()
	if key, _, ok := strings.Cut(msg, ": "); ok && keyPath.MatchString(key) && !strings.Contains(key, " ") {
		return "." + msg
	}
	return ": " + msg
}

// pendingAttack is one scheduled occurrence.
type pendingAttack struct {
	at    time.Time
	event *AttackEvent
}

type attacker struct {
	key      string
	schedule []pendingAttack
	next     int
	records  []AttackRecord
}

func newAttacker(spec AttackerSpec, start time.Time) (*attacker, error) {
	a := &attacker{key: spec.AccessKeyID}
	for i := range spec.Events {
		e := &spec.Events[i]
		at := resolveChecked(e.At, start)
		times := e.Times
		var every time.Duration
		if e.Every != "" {
			every, _ = time.ParseDuration(e.Every)
			if times == 0 {
				times = maxRepeats
			}
		}
		if times == 0 {
			times = 1
		}
		for n := 0; n < times; n++ {
			a.schedule = append(a.schedule, pendingAttack{at: at.Add(time.Duration(n) * every), event: e})
		}
	}
	sort.SliceStable(a.schedule, func(i, j int) bool { return a.schedule[i].at.Before(a.schedule[j].at) })
	return a, nil
}

// fireAttacker runs, with the server locked, every attacker call that is due. Calls go through the
// same authentication and handlers as any request, signed with the leaked key.
func (s *Server) fireAttacker() {
	a := s.attacker
	now := s.clock.Now()
	for a.next < len(a.schedule) && !a.schedule[a.next].at.After(now) {
		e := a.schedule[a.next].event
		a.next++
		form := attackForm(e)
		region := e.Region
		if region == "" {
			region = "us-east-1"
		}
		key := a.key
		if e.AccessKeyID != "" {
			key = e.AccessKeyID
		}
		_, apiErr := s.call(scope{AccessKeyID: key, Region: region, Service: e.Service, SourceIP: s.trail.attackerIP, UserAgent: attackerAgent}, e.Action, form, nil, true)
		rec := AttackRecord{Time: now, AccessKeyID: key, Note: e.Note, Action: e.Service + ":" + e.Action, Region: region}
		if apiErr != nil {
			rec.Code, rec.Message = apiErr.Code, apiErr.Message
		}
		a.records = append(a.records, rec)
	}
}

// attackForm is an attacker call's parameters as its service's handlers read them: query
// parameters as given, or a JSON service's body members (objects and lists of objects as JSON).
func attackForm(e *AttackEvent) url.Values {
	form := url.Values{}
	if jsonService(e.Service) {
		body, _ := json.Marshal(e.Params)
		form, _ = jsonParams(body)
	} else {
		for k, v := range e.Params {
			form.Set(k, fmt.Sprint(v))
		}
	}
	form.Set("Action", e.Action)
	return form
}

// jsonService reports a service that speaks JSON rather than the query protocols.
func jsonService(service string) bool { return service == "cloudtrail" || service == "guardduty" }

// AttackLog returns what the attacker has done so far, firing anything now due.
func (s *Server) AttackLog() []AttackRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fireAttacker()
	return append([]AttackRecord(nil), s.attacker.records...)
}
