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
	By      string
	Created time.Time
	// Disabled is when an access key was first deactivated.
	Disabled time.Time
	// Ended is when it was terminated or deleted; zero while it lasts.
	Ended time.Time
	// State is running, stopped, terminated; Active, Inactive; open, active, closed, cancelled;
	// revoked, expired; deleted; or empty where the kind has none.
	State string
}

// Lasts reports whether the resource is still there and, for an instance or a key, still working.
func (h Holding) Lasts() bool {
	switch h.State {
	case "deleted", "terminated", "Inactive", "closed", "cancelled", "revoked", "expired":
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
	var out []Holding
	for _, name := range slices.Sorted(maps.Keys(s.ec2.regions)) {
		r := s.ec2.regions[name]
		for _, inst := range r.instances {
			h := Holding{Kind: HoldingInstance, ID: inst.ID, Region: name, Type: inst.Type, KeyName: inst.KeyName,
				By: inst.By, Created: inst.Launched, State: inst.State}
			if inst.State == "terminated" {
				h.Ended = s.ledger.terminated[inst.ID]
			}
			out = append(out, h)
		}
		for _, k := range r.keyPairs {
			out = append(out, keyPairHolding(name, k))
		}
		for _, sr := range r.spot {
			out = append(out, Holding{Kind: HoldingSpot, ID: sr.ID, Region: name, Type: sr.Type, By: sr.launch.By,
				Created: sr.Created, State: sr.State})
		}
		out = append(out, respawnerHoldings(name, &r.respawnerState)...)
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
	return append(out, s.ledger.goneSorted()...)
}

// sessionHoldings are the role sessions and session tokens issued so far: active until they
// expire or their role (or user) denies tokens issued before a cutoff after them.
func (s *Server) sessionHoldings() []Holding {
	now := s.clock.Now()
	var out []Holding
	for _, id := range slices.Sorted(maps.Keys(s.trail.sessions)) {
		sess := s.trail.sessions[id]
		h := Holding{Kind: HoldingSession, ID: id, Created: sess.Issued, State: "active"}
		policies := map[string]string{}
		switch {
		case sess.Role != nil:
			h.Type, policies = sess.Role.Name, sess.Role.Inline
		case sess.User != nil:
			h.User, policies = sess.User.Name, sess.User.Inline
		}
		for _, doc := range policies {
			if cutoff, ok := revokedBefore(doc); ok && sess.Issued.Before(cutoff) {
				h.State, h.Ended = "revoked", cutoff
			}
		}
		if h.State == "active" && now.After(sess.Expires) {
			h.State, h.Ended = "expired", sess.Expires
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
	return Holding{Kind: HoldingKeyPair, ID: k.Name, Region: region, Created: k.Created}
}

// AttackerCredentials are the access key ids the attacker holds or held: the leaked key, the keys
// and sessions the scenario gives the attacker, and every key made by one of those or belonging to
// a user one of those made, to any depth.
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
	for grew := true; grew; {
		grew = false
		for _, k := range keys {
			if !creds[k.ID] && (creds[k.By] || creds[userBy[k.User]]) {
				creds[k.ID], grew = true, true
			}
		}
	}
	delete(creds, "")
	return creds
}

// respawnerHoldings are a region's Auto Scaling groups, launch templates and fleets: what brings
// terminated instances back. A deleted group or template is gone; a cancelled or deleted fleet
// launches nothing more, whatever its instances do.
func respawnerHoldings(region string, r *respawnerState) []Holding {
	var out []Holding
	for _, g := range r.groups {
		out = append(out, Holding{Kind: HoldingGroup, ID: g.Name, Region: region, By: g.by, Created: g.Created,
			Type: fmt.Sprintf("desired %d, min %d, max %d", g.Desired, g.Min, g.Max)})
	}
	for _, t := range r.templates {
		if !t.deleted {
			out = append(out, Holding{Kind: HoldingTemplate, ID: t.Name, Region: region, By: t.by, Created: t.Created})
		}
	}
	for _, f := range r.fleets {
		state := f.State
		switch {
		case strings.HasPrefix(state, "cancelled"):
			state = "cancelled"
		case strings.HasPrefix(state, "deleted"):
			state = "deleted"
		}
		out = append(out, Holding{Kind: HoldingFleet, ID: f.ID, Region: region, Type: f.Type, By: f.by, Created: f.Created, State: state})
	}
	return out
}
