package aws

import (
	"context"
	"encoding/base64"
	"time"
	"unicode/utf8"
)

// UserDataChange is the attacker replacing an instance's user data (ModifyInstanceAttribute), which
// runs at the instance's next start: the attacker stops and starts an instance the team has run for
// long to make it run theirs. CloudTrail's request holds the new user data; the old is the value an
// earlier event of the instance set, when CloudTrail's 90 days of history hold one.
type UserDataChange struct {
	Region     string    `json:"region"`
	InstanceID string    `json:"instance_id"`
	EventID    string    `json:"event_id"`
	Time       time.Time `json:"time"`
	Credential string    `json:"credential"`
	SourceIP   string    `json:"source_ip"`
	// New is the user data the attacker set, as text; NewKnown is false when the record does not
	// hold it (CloudTrail may leave it out as sensitive).
	New      string `json:"new,omitempty"`
	NewKnown bool   `json:"new_known"`
	// Old is the user data before, from the event that set it (OldFrom names it); OldKnown is
	// false when history holds none, and OldFrom then says why.
	Old      string `json:"old,omitempty"`
	OldKnown bool   `json:"old_known"`
	OldFrom  string `json:"old_from"`
	// SetBack, when the instance's user data was last set after the attacker's change by someone
	// else, names that event: the instance no longer starts with the attacker's code.
	SetBack string `json:"set_back,omitempty"`
}

// UserDataChangeOf returns the attacker's user data change of an instance, if the trace saw one.
func (f *Footprint) UserDataChangeOf(instanceID string) (UserDataChange, bool) {
	for _, c := range f.UserDataChanges {
		if c.InstanceID == instanceID {
			return c, true
		}
	}
	return UserDataChange{}, false
}

// userDataSet is the user data an event set (RunInstances, ModifyInstanceAttribute), as text, and
// whether the event set any; known is false when the record does not hold the value.
func (e TrailEvent) userDataSet() (text string, set, known bool) {
	req := e.rec.Request()
	var raw any
	switch e.EventName {
	case "ModifyInstanceAttribute":
		if v, ok := req["userData"]; ok {
			raw, set = v, true
		}
		if field(req, "attribute") == "userData" {
			raw, set = req["value"], true
		}
	case "RunInstances":
		raw, set = req["userData"], req["userData"] != nil
	}
	if obj, ok := raw.(map[string]any); ok {
		raw = obj["value"]
	}
	s, _ := raw.(string)
	if !set || s == "" || s == "<sensitiveDataRemoved>" {
		return "", set, set && s == ""
	}
	decoded, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(decoded) {
		return s, true, true
	}
	return string(decoded), true, true
}

// userDataTarget is the instance a ModifyInstanceAttribute of user data names.
func (e TrailEvent) userDataTarget() string {
	if e.EventName != "ModifyInstanceAttribute" || !e.Succeeded() {
		return ""
	}
	if _, set, _ := e.userDataSet(); !set {
		return ""
	}
	return field(e.rec.Request(), "instanceId")
}

// userDataChanges finds the attacker's user data changes in the timeline and, for each, the user
// data before it and whether someone else set it again since: one lookup of the instance's own
// history, paced like every lookup.
func (t *tracer) userDataChanges(ctx context.Context, f *Footprint) {
	attackers := map[string]bool{}
	for _, c := range f.Credentials {
		attackers[c.ID] = true
	}
	for _, e := range f.Timeline {
		id := e.userDataTarget()
		if id == "" {
			continue
		}
		c := UserDataChange{Region: e.Region, InstanceID: id, EventID: e.EventID, Time: e.Time, Credential: e.Credential, SourceIP: e.SourceIP}
		c.New, _, c.NewKnown = e.userDataSet()
		c.OldFrom = "unknown: CloudTrail's 90 days of history hold no earlier user data of " + id
		history, _, err := t.lookupAll(ctx, e.Region, lookup{key: "ResourceName", value: id}, t.now().Add(-HistoryRetention))
		if err != nil {
			c.OldFrom = "unknown: the instance's CloudTrail history could not be read (" + ErrorMessage(err) + ")"
		}
		var before, after *TrailEvent
		for i := range history {
			h := history[i]
			if _, set, _ := h.userDataSet(); !set || h.EventID == e.EventID || !h.Succeeded() {
				continue
			}
			switch {
			case h.Time.Before(e.Time) && (before == nil || h.Time.After(before.Time)):
				before = &h
			case h.Time.After(e.Time) && (after == nil || h.Time.After(after.Time)):
				after = &h
			}
		}
		if after != nil && !attackers[after.Credential] {
			c.SetBack = after.EventName + " by " + firstOf(after.Principal, after.Credential) + " at " + after.Time.UTC().Format("2006-01-02 15:04:05Z") + " (CloudTrail event " + after.EventID + ")"
		}
		if before != nil {
			var known bool
			c.Old, _, known = before.userDataSet()
			c.OldKnown = known
			c.OldFrom = before.EventName + " by " + firstOf(before.Principal, before.Credential) + " at " + before.Time.UTC().Format("2006-01-02 15:04:05Z") + " (CloudTrail event " + before.EventID + ")"
			if !known {
				c.OldFrom = "unknown: " + c.OldFrom + " does not hold the value"
			}
		}
		f.UserDataChanges = append(f.UserDataChanges, c)
	}
}
