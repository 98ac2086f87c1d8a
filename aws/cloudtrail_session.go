package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SessionOrigin is where a temporary key (ASIA…) came from, as CloudTrail recorded it: the role
// session (or session token) that issued it, who asked for it, and where it was used from.
type SessionOrigin struct {
	Key string `json:"key"`
	// Role is the ARN of the role the session belongs to; empty for a GetSessionToken session,
	// whose User is then the user behind it.
	Role        string    `json:"role,omitempty"`
	User        string    `json:"user,omitempty"`
	SessionName string    `json:"session_name,omitempty"`
	IssuedBy    string    `json:"issued_by,omitempty"`
	IssuedAt    time.Time `json:"issued_at,omitempty"`
	EventID     string    `json:"event_id,omitempty"`
	// UsedFrom are the addresses the key's own events came from; AWS services show as their
	// names (ec2.amazonaws.com), anything else is an address outside AWS's services.
	UsedFrom []string `json:"used_from,omitempty"`
}

// RoleName is the role's name, the last part of its ARN.
func (o *SessionOrigin) RoleName() string { return o.Role[strings.LastIndex(o.Role, "/")+1:] }

// OutsideAWS lists the addresses the key was used from that are not AWS services.
func (o *SessionOrigin) OutsideAWS() []string {
	var out []string
	for _, ip := range o.UsedFrom {
		if !strings.HasSuffix(ip, ".amazonaws.com") && ip != "AWS Internal" {
			out = append(out, ip)
		}
	}
	return out
}

// FindSession asks CloudTrail where a temporary key came from: the AssumeRole (or
// GetSessionToken, GetFederationToken) event that returned it, recorded in us-east-1 with the key
// as a resource, and the key's own events in every enabled region, whose session context names
// the role. A region whose events cannot be read leaves only its uses out. It returns nil, without an error, when CloudTrail holds none of them.
func (a *Account) FindSession(ctx context.Context, key string) (*SessionOrigin, error) {
	t := &tracer{regions: a.EC2(a.HomeRegion()), client: a.CloudTrail, home: a.HomeRegion(), now: time.Now}
	since := t.now().Add(-HistoryRetention)
	o := &SessionOrigin{Key: key}
	found := false
	issued, _, err := t.lookupAll(ctx, globalRegion, lookup{key: "ResourceName", value: key}, since)
	if err != nil {
		return nil, fmt.Errorf("CloudTrail LookupEvents in %s: %w", globalRegion, err)
	}
	for _, e := range issued {
		for _, c := range e.created() {
			if c.Kind == "session" && c.ID == key {
				o.Role, o.IssuedBy, o.IssuedAt, o.EventID, found = c.Role, e.Credential, e.Time, e.EventID, true
				if o.IssuedBy == "" {
					// An instance role's credentials are issued to the EC2 service, which signs with
					// no access key: the event names only who invoked it.
					o.IssuedBy = e.Principal
				}
				o.SessionName = field(e.rec.Request(), "roleSessionName")
				if c.Role == "" {
					o.User = e.rec.UserIdentity.UserName
				}
			}
		}
	}
	// The key's own events, in every enabled region at once: where it was used, and by which role.
	plan, err := t.planRegions(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	for _, e := range t.everywhere(ctx, plan, lookup{key: "AccessKeyId", value: key}, since) {
		found = true
		id := e.rec.UserIdentity
		if o.Role == "" && id.SessionContext.SessionIssuer.Type == "Role" {
			o.Role = id.SessionContext.SessionIssuer.ARN
			if o.SessionName == "" {
				o.SessionName = e.Principal[strings.LastIndex(e.Principal, "/")+1:]
			}
		}
		if o.Role == "" && o.User == "" && id.SessionContext.SessionIssuer.Type == "IAMUser" {
			o.User = id.SessionContext.SessionIssuer.UserName
		}
		if e.SourceIP != "" && !slices.Contains(o.UsedFrom, e.SourceIP) {
			o.UsedFrom = append(o.UsedFrom, e.SourceIP)
		}
	}
	if !found {
		return nil, nil
	}
	return o, nil
}

// FindSession asks CloudTrail where a temporary key came from (see Account.FindSession).
func (r *ReadOnly) FindSession(ctx context.Context, key string) (*SessionOrigin, error) {
	return r.a.FindSession(ctx, key)
}

// AttackerAddress reports whether the attacker's own events came from ip: a launch by some other
// credential from that address is the attacker's too, whatever the trace's starting key missed.
// AWS services' names are no evidence: everyone's calls come through them.
func (f *Footprint) AttackerAddress(ip string) bool {
	if ip == "" || strings.HasSuffix(ip, ".amazonaws.com") || ip == "AWS Internal" {
		return false
	}
	for _, e := range f.Timeline {
		if e.SourceIP == ip {
			return true
		}
	}
	return false
}
