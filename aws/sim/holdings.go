package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Kinds of Holding.
const (
	HoldingInstance  = "instance"
	HoldingAccessKey = "access key"
	HoldingUser      = "user"
	HoldingRole      = "role"
	HoldingKeyPair   = "key pair"
	HoldingSpot      = "spot request"
	HoldingSession   = "role session"
	HoldingGroup     = "Auto Scaling group"
	HoldingTemplate  = "launch template"
	HoldingFleet     = "fleet"
)

// Holding is one resource the simulated account has, or had during the simulation, as the drill's
// debrief judges it: who made it, and whether and when it went.
type Holding struct {
	Kind string
	// ID is an instance, access key or spot request id, or a user, role or key pair name.
	ID string
	// Region is empty for IAM.
	Region string
	// Type is an instance's type, a spot request's (one-time, persistent), or a session's role.
	Type string
	// KeyName is an instance's key pair.
	KeyName string
	// User is an access key's user.
	User string
	// By is the credential that made it: the scenario's `by`, or the key that signed the call.
	By string
	// Via is the key (see Key) of the holding it came through: the group, fleet or spot request
	// that launched an instance, the template a group launches from, the user a password or MFA
	// device belongs to, the role of an inline or trust policy. Whoever made that made this.
	Via     string
	Created time.Time
	// Disabled is when an access key was first deactivated.
	Disabled time.Time
	// Ended is when it was terminated, deleted or stopped working; zero while it lasts. EndedBy is
	// the credential whose call did that, when a call did.
	Ended   time.Time
	EndedBy string
	// Refused, for an access key or a session, is since when a call signed with it is refused,
	// and RefusedWhy why; zero while it works.
	Refused    time.Time
	RefusedWhy string
	// State is running, shutting-down, stopped, terminated; Active, Inactive; open, active,
	// closed, cancelled; revoked, expired; deleted; not default, replaced; or empty where the
	// kind has none.
	State string
}

// HoldingKey names a holding uniquely among the account's: its kind, region and id.
func HoldingKey(kind, region, id string) string { return kind + "|" + region + "|" + id }

// Key is the holding's HoldingKey.
func (h Holding) Key() string { return HoldingKey(h.Kind, h.Region, h.ID) }

// Lasts reports whether the resource is still there and, for an instance or a key, still working.
func (h Holding) Lasts() bool {
	switch h.State {
	case "deleted", "terminated", "shutting-down", "Inactive", "closed", "cancelled", "revoked", "expired",
		"not default", "replaced":
		return false
	}
	return true
}

// Holdings lists the account's resources now, then those deleted during the simulation, in a
// stable order. Whatever the attacker had due by now is done first.
func (s *Server) Holdings() []Holding {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fireAttacker()
	now := s.clock.Now()
	var out []Holding
	for _, name := range slices.Sorted(maps.Keys(s.ec2.regions)) {
		r := s.ec2.regions[name]
		r.settleScaleIn(now)
		for _, inst := range r.instances {
			out = append(out, Holding{Kind: HoldingInstance, ID: inst.ID, Region: name, Type: inst.Type, KeyName: inst.KeyName,
				By: inst.By, Via: inst.Launcher, Created: inst.Launched, State: inst.State, Ended: inst.Ended, EndedBy: inst.EndedBy})
		}
		for _, k := range r.keyPairs {
			out = append(out, keyPairHolding(name, k))
		}
		for _, sr := range r.spot {
			out = append(out, Holding{Kind: HoldingSpot, ID: sr.ID, Region: name, Type: sr.Type, By: sr.launch.By,
				Created: sr.Created, State: sr.State})
		}
		out = append(out, respawnerHoldings(r)...)
	}
	for _, id := range slices.Sorted(maps.Keys(s.iam.keys)) {
		out = append(out, s.keyHolding(s.iam.keys[id]))
	}
	for _, name := range slices.Sorted(maps.Keys(s.iam.users)) {
		out = append(out, userHolding(s.iam.users[name]))
	}
	for _, name := range slices.Sorted(maps.Keys(s.iam.roles)) {
		if r := s.iam.roles[name]; !r.ServiceLinked {
			out = append(out, roleHolding(r))
		}
	}
	out = append(out, s.sessionHoldings()...)
	out = append(out, s.iamPersistenceHoldings()...)
	out = append(out, s.ledger.goneSorted()...)
	for i := range out {
		h := &out[i]
		if e, ok := s.ledger.ended[h.Key()]; ok && !h.Lasts() && h.EndedBy == "" {
			h.EndedBy = e.By
			if h.Ended.IsZero() {
				h.Ended = e.At
			}
		}
		if h.Kind == HoldingAccessKey || h.Kind == HoldingSession {
			if r, ok := s.refusedSince(h.ID, now); ok {
				h.Refused, h.RefusedWhy = r.At, r.Why
			}
		}
	}
	return out
}

// sessionHoldings are the role sessions and session tokens issued so far: active until they
// expire, their role (or user) denies tokens issued before a cutoff after them, or their role or
// user is deleted.
func (s *Server) sessionHoldings() []Holding {
	now := s.clock.Now()
	var out []Holding
	for _, id := range slices.Sorted(maps.Keys(s.trail.sessions)) {
		sess := s.trail.sessions[id]
		h := Holding{Kind: HoldingSession, ID: id, By: sess.By, Created: sess.Issued, State: "active"}
		switch {
		case sess.Role != nil:
			h.Type = sess.Role.Name
		case sess.User != nil:
			h.User = sess.User.Name
		}
		if r, refused := s.refusedSince(id, now); refused {
			h.State, h.Ended = "revoked", r.At
			if r.Why == "expired" {
				h.State = "expired"
			}
		}
		out = append(out, h)
	}
	return out
}

func (s *Server) keyHolding(k *accessKey) Holding {
	return Holding{Kind: HoldingAccessKey, ID: k.ID, User: k.User, By: k.By, Created: k.Created,
		Disabled: s.ledger.inactive[k.ID], State: k.Status}
}

func userHolding(u *iamUser) Holding {
	return Holding{Kind: HoldingUser, ID: u.Name, By: u.By, Created: u.Created}
}

func roleHolding(r *iamRole) Holding {
	return Holding{Kind: HoldingRole, ID: r.Name, By: r.By, Created: r.Created}
}

func keyPairHolding(region string, k *keyPair) Holding {
	return Holding{Kind: HoldingKeyPair, ID: k.Name, Region: region, By: k.By, Created: k.Created}
}

// AttackerCredentials are the access key ids the attacker holds or held: the leaked key, the keys
// and sessions the scenario gives the attacker, and every key or session made by one of those or
// belonging to a user one of those made, to any depth.
func (s *Server) AttackerCredentials() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.scenario.Attacker
	creds := map[string]bool{a.AccessKeyID: true}
	for _, e := range a.Events {
		if e.AccessKeyID != "" {
			creds[e.AccessKeyID] = true
		}
	}
	for _, sess := range a.Sessions {
		if sess.AccessKeyID != "" {
			creds[sess.AccessKeyID] = true
		}
	}
	userBy := map[string]string{}
	for _, u := range s.iam.users {
		userBy[u.Name] = u.By
	}
	keys := make([]Holding, 0, len(s.iam.keys))
	for _, k := range s.iam.keys {
		keys = append(keys, s.keyHolding(k))
	}
	for _, h := range s.ledger.gone {
		switch h.Kind {
		case HoldingAccessKey:
			keys = append(keys, h)
		case HoldingUser:
			userBy[h.ID] = h.By
		}
	}
	for _, sess := range s.trail.sessions {
		keys = append(keys, Holding{Kind: HoldingSession, ID: sess.AccessKeyID, By: sess.By})
	}
	for grew := true; grew; {
		grew = false
		for _, k := range keys {
			if !creds[k.ID] && (creds[k.By] || (k.User != "" && creds[userBy[k.User]])) {
				creds[k.ID], grew = true, true
			}
		}
	}
	delete(creds, "")
	return creds
}

// respawnerHoldings are a region's Auto Scaling groups, launch templates and fleets: what brings
// terminated instances back. A deleted template stays listed as deleted (the ledger knows when and
// by whom); a cancelled or deleted fleet launches nothing more, whatever its instances do.
func respawnerHoldings(r *ec2Region) []Holding {
	var out []Holding
	for _, g := range r.groups {
		out = append(out, groupHolding(r, g))
	}
	for _, t := range r.templates {
		h := Holding{Kind: HoldingTemplate, ID: t.Name, Region: r.name, By: t.by, Created: t.Created, KeyName: t.launch.KeyName}
		if t.deleted {
			h.State = "deleted"
		}
		out = append(out, h)
	}
	for _, f := range r.fleets {
		state := f.State
		switch {
		case strings.HasPrefix(state, "cancelled"):
			state = "cancelled"
		case strings.HasPrefix(state, "deleted"):
			state = "deleted"
		}
		out = append(out, Holding{Kind: HoldingFleet, ID: f.ID, Region: r.name, Type: f.Type, By: f.by, Created: f.Created, State: state})
	}
	return out
}

func groupHolding(r *ec2Region, g *scalingGroup) Holding {
	return Holding{Kind: HoldingGroup, ID: g.Name, Region: r.name, By: g.by, Created: g.Created,
		Via:  HoldingKey(HoldingTemplate, r.name, g.Template),
		Type: fmt.Sprintf("desired %d, min %d, max %d", g.Desired, g.Min, g.Max)}
}
