package aws

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TrailEvent is one CloudTrail event as the timeline shows it.
type TrailEvent struct {
	Time         time.Time `json:"time"`
	Region       string    `json:"region"`
	EventName    string    `json:"event_name"`
	EventSource  string    `json:"event_source"`
	EventID      string    `json:"event_id"`
	Credential   string    `json:"credential"`
	Principal    string    `json:"principal"`
	SourceIP     string    `json:"source_ip"`
	UserAgent    string    `json:"user_agent"`
	ReadOnly     bool      `json:"read_only"`
	Resources    []string  `json:"resources,omitempty"`
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
	// Record is the whole CloudTrail record, for an operator who opens the event.
	Record json.RawMessage `json:"record,omitempty"`

	rec TrailRecord
}

// Succeeded reports whether AWS carried the call out.
func (e TrailEvent) Succeeded() bool { return e.ErrorCode == "" }

// Write reports whether the event changed something (or tried to).
func (e TrailEvent) Write() bool { return !e.ReadOnly }

// trailEventFrom reads a LookupEvents entry and its record.
func trailEventFrom(region string, ev types.Event) (TrailEvent, error) {
	raw := sdk.ToString(ev.CloudTrailEvent)
	rec, err := ParseTrailRecord(raw)
	if err != nil {
		return TrailEvent{}, err
	}
	e := TrailEvent{Time: sdk.ToTime(ev.EventTime).UTC(), Region: rec.AWSRegion, EventName: rec.EventName,
		EventSource: rec.EventSource, EventID: rec.EventID, Credential: rec.UserIdentity.AccessKeyID,
		Principal: rec.UserIdentity.ARN, SourceIP: rec.SourceIPAddress, UserAgent: rec.UserAgent,
		ReadOnly: rec.ReadOnly, ErrorCode: rec.ErrorCode, ErrorMessage: rec.ErrorMessage, Record: json.RawMessage(raw), rec: rec}
	if e.Region == "" {
		e.Region = region
	}
	if e.EventID == "" {
		e.EventID = sdk.ToString(ev.EventId)
	}
	if e.Time.IsZero() {
		e.Time = rec.EventTime
	}
	if e.Credential == "" {
		e.Credential = sdk.ToString(ev.AccessKeyId)
	}
	if e.Principal == "" && rec.UserIdentity.InvokedBy != "" {
		e.Principal = rec.UserIdentity.InvokedBy
	}
	seen := map[string]bool{}
	for _, r := range ev.Resources {
		if n := sdk.ToString(r.ResourceName); n != "" && !seen[n] {
			seen[n] = true
			e.Resources = append(e.Resources, n)
		}
	}
	for _, c := range e.created() {
		if !seen[c.ID] {
			seen[c.ID] = true
			e.Resources = append(e.Resources, c.ID)
		}
	}
	return e, nil
}

// Created is something an event brought into being, read from its responseElements.
type Created struct {
	// Kind is "instance", "spot request", "access key", "user", "session" or "role".
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Role is the role a session belongs to.
	Role string `json:"role,omitempty"`
}

// created lists what a successful event created, as its responseElements name it.
func (e TrailEvent) created() []Created {
	if !e.Succeeded() {
		return nil
	}
	resp := e.rec.Response()
	var out []Created
	switch e.EventName {
	case "RunInstances":
		for _, it := range items(resp, "instancesSet") {
			if id, _ := it["instanceId"].(string); id != "" {
				out = append(out, Created{Kind: "instance", ID: id})
			}
		}
	case "RequestSpotInstances":
		for _, it := range items(resp, "spotInstanceRequestSet") {
			if id, _ := it["spotInstanceRequestId"].(string); id != "" {
				out = append(out, Created{Kind: "spot request", ID: id})
			}
		}
	case "CreateAccessKey":
		if id := field(resp, "accessKey", "accessKeyId"); id != "" {
			out = append(out, Created{Kind: "access key", ID: id})
		}
	case "CreateUser":
		if name := field(resp, "user", "userName"); name != "" {
			out = append(out, Created{Kind: "user", ID: name})
		}
	case "CreateRole":
		if arn := field(resp, "role", "arn"); arn != "" {
			out = append(out, Created{Kind: "role", ID: arn})
		}
	case "CreateKeyPair", "ImportKeyPair":
		out = e.keyPairCreated()
	case "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "GetSessionToken", "GetFederationToken":
		if id := field(resp, "credentials", "accessKeyId"); id != "" {
			out = append(out, Created{Kind: "session", ID: id, Role: field(e.rec.Request(), "roleArn")})
		}
	default:
		out = e.respawnerCreated()
	}
	return out
}

// grants lists the attacker credentials an attacker event hands out: keys and sessions it
// created, users it created or gave a console password to.
func (e TrailEvent) grants() []AttackerCredential {
	var out []AttackerCredential
	for _, c := range e.created() {
		switch c.Kind {
		case "access key", "session":
			out = append(out, AttackerCredential{ID: c.ID, Kind: c.Kind, Role: c.Role, By: e.Credential, EventID: e.EventID})
		case "user":
			out = append(out, AttackerCredential{ID: c.ID, Kind: "user", By: e.Credential, EventID: e.EventID})
		}
	}
	if e.EventName == "CreateLoginProfile" && e.Succeeded() {
		if u := field(e.rec.Request(), "userName"); u != "" {
			out = append(out, AttackerCredential{ID: u, Kind: "user", By: e.Credential, EventID: e.EventID})
		}
	}
	return out
}

// AttackerCredential is a credential the attacker held: the leaked key, and every key, session or
// user the trace found the attacker made or obtained with it.
type AttackerCredential struct {
	ID string `json:"id"`
	// Kind is "leaked key", "access key", "session" or "user" (looked up by user name).
	Kind string `json:"kind"`
	Role string `json:"role,omitempty"`
	// By and EventID say which credential made this one, in which event.
	By      string `json:"by,omitempty"`
	EventID string `json:"event_id,omitempty"`
}

// Origin is who created a resource, according to CloudTrail.
type Origin struct {
	EventID    string    `json:"event_id"`
	EventName  string    `json:"event_name"`
	Time       time.Time `json:"time"`
	Region     string    `json:"region"`
	Credential string    `json:"credential,omitempty"`
	Principal  string    `json:"principal"`
	SourceIP   string    `json:"source_ip"`
	// Attacker is true when the creating credential is one of the attacker's.
	Attacker bool `json:"attacker"`
}

// By says who created the resource, as a verdict quotes it after "launched" or "created":
// "by AKIA… from 203.0.113.7 (CloudTrail event …)".
func (o Origin) By() string {
	who := o.Credential
	if who == "" || !o.Attacker {
		who = o.Principal
	}
	return "by " + who + " from " + o.SourceIP + " (CloudTrail event " + o.EventID + ")"
}

// sortEvents orders a timeline by time, then event id, so the order is stable.
func sortEvents(events []TrailEvent) {
	sort.Slice(events, func(i, j int) bool {
		if !events[i].Time.Equal(events[j].Time) {
			return events[i].Time.Before(events[j].Time)
		}
		return events[i].EventID < events[j].EventID
	})
}

// IsTemporaryKey reports whether an access key id is a session's (ASIA…) rather than a user's.
func IsTemporaryKey(id string) bool { return strings.HasPrefix(id, "ASIA") }
