package sim

import (
	"slices"
	"time"
)

// ledger remembers, for the drill's debrief, what the account's state alone forgets: when a key was
// deactivated, when an instance was terminated, and what was deleted, with who had made it. It is
// kept by the server as calls succeed, on the simulated clock, so a debrief is repeatable.
type ledger struct {
	// inactive is when each access key was first deactivated.
	inactive map[string]time.Time
	// terminated is when each instance was terminated, by id.
	terminated map[string]time.Time
	// gone are the resources deleted during the simulation, as they were just before.
	gone []Holding
}

func newLedger() *ledger {
	return &ledger{inactive: map[string]time.Time{}, terminated: map[string]time.Time{}}
}

// callerKeyID is the access key id that signed the call: a user's key or a session's.
func (c *Call) callerKeyID() string {
	switch {
	case c.Caller == nil:
		return ""
	case c.Caller.Session != nil:
		return c.Caller.Session.AccessKeyID
	case c.Caller.Key != nil:
		return c.Caller.Key.ID
	}
	return ""
}

// before notes what a call is about to delete, while it is still there to be described.
func (s *Server) before(c *Call) []Holding {
	if c.DryRun() {
		return nil
	}
	switch c.Service + ":" + c.Action {
	case "iam:DeleteAccessKey":
		if k, ok := s.iam.keys[c.Params.Get("AccessKeyId")]; ok {
			return []Holding{s.keyHolding(k)}
		}
	case "iam:DeleteUser":
		if u, ok := s.iam.users[c.Params.Get("UserName")]; ok {
			return []Holding{userHolding(u)}
		}
	case "iam:DeleteRole":
		if r, ok := s.iam.roles[c.Params.Get("RoleName")]; ok {
			return []Holding{roleHolding(r)}
		}
	case "ec2:DeleteKeyPair":
		r := s.ec2.region(c.Region)
		id, name := c.Params.Get("KeyPairId"), c.Params.Get("KeyName")
		for _, k := range r.keyPairs {
			if (id != "" && k.ID == id) || (id == "" && k.Name == name) {
				return []Holding{keyPairHolding(r.name, k)}
			}
		}
	}
	return nil
}

// after records what a call that succeeded changed.
func (s *Server) after(c *Call, deleted []Holding, result any) {
	if c.DryRun() {
		return
	}
	for _, h := range deleted {
		h.Ended, h.State = c.Now, "deleted"
		s.ledger.gone = append(s.ledger.gone, h)
	}
	by := c.callerKeyID()
	switch c.Service + ":" + c.Action {
	case "iam:UpdateAccessKey":
		id := c.Params.Get("AccessKeyId")
		if _, seen := s.ledger.inactive[id]; !seen && c.Params.Get("Status") == statusInactive {
			s.ledger.inactive[id] = c.Now
		}
	case "iam:CreateUser":
		if u, ok := s.iam.users[c.Params.Get("UserName")]; ok {
			u.By = by
		}
	case "iam:CreateAccessKey":
		if out, ok := result.(createAccessKeyResult); ok {
			if k, ok := s.iam.keys[out.AccessKey.AccessKeyID]; ok {
				k.By = by
			}
		}
	case "ec2:TerminateInstances":
		r := s.ec2.region(c.Region)
		for _, id := range listParam(c.Params, "InstanceId") {
			if _, seen := s.ledger.terminated[id]; !seen && r.byID[id] != nil {
				s.ledger.terminated[id] = c.Now
			}
		}
	}
}

// goneSorted returns the deleted resources in the order they went.
func (l *ledger) goneSorted() []Holding {
	out := slices.Clone(l.gone)
	slices.SortStableFunc(out, func(a, b Holding) int { return a.Ended.Compare(b.Ended) })
	return out
}
