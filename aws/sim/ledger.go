package sim

import (
	"slices"
	"time"
)

// ledger remembers, for the drill's debrief, what the account's state alone forgets: when a key was
// deactivated, when a credential stopped working, what was deleted and by whose call, and who made
// what the state keeps no author for. It is kept by the server as calls succeed, on the simulated
// clock, so a debrief is repeatable.
type ledger struct {
	// inactive is when each access key was first deactivated.
	inactive map[string]time.Time
	// refused is when each credential (access key or session) began to be refused, for as long as
	// it still is.
	refused map[string]refusal
	// ended is when, and by whose call, a resource that stays listed stopped working: a fleet
	// cancelled, a spot request cancelled, a template deleted, a key deactivated. By holding key.
	ended map[string]ending
	// made is who made what the state does not record an author for (a policy version, a
	// provider, a password, an inline policy, a trust policy), by holding key.
	made map[string]string
	// gone are the resources deleted during the simulation, as they were just before.
	gone []Holding
}

type ending struct {
	At time.Time
	By string
}

type refusal struct {
	At  time.Time
	Why string
}

func newLedger() *ledger {
	return &ledger{inactive: map[string]time.Time{}, refused: map[string]refusal{}, ended: map[string]ending{},
		made: map[string]string{}}
}

// end notes that a listed resource stopped working, the first time only.
func (l *ledger) end(key string, at time.Time, by string) {
	if _, seen := l.ended[key]; !seen {
		l.ended[key] = ending{at, by}
	}
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

// before notes what a call is about to delete or replace, while it is still there to be
// described.
func (s *Server) before(c *Call) []Holding {
	if c.DryRun() {
		return nil
	}
	if h, ok := s.iamBefore(c); ok {
		return h
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
	case "autoscaling:DeleteAutoScalingGroup":
		r := s.ec2.region(c.Region)
		if g := r.groupNamed(c.Params.Get("AutoScalingGroupName")); g != nil {
			return []Holding{groupHolding(r, g)}
		}
	}
	return nil
}

// after records what a call that succeeded changed.
func (s *Server) after(c *Call, deleted []Holding, result any) {
	if c.DryRun() {
		return
	}
	by := c.callerKeyID()
	for _, h := range deleted {
		if h.State == "" || h.Lasts() {
			h.State = "deleted"
		}
		h.Ended, h.EndedBy = c.Now, by
		s.ledger.gone = append(s.ledger.gone, h)
	}
	switch c.Service + ":" + c.Action {
	case "iam:UpdateAccessKey":
		id := c.Params.Get("AccessKeyId")
		if _, seen := s.ledger.inactive[id]; !seen && c.Params.Get("Status") == statusInactive {
			s.ledger.inactive[id] = c.Now
			s.ledger.end(HoldingKey(HoldingAccessKey, "", id), c.Now, by)
		}
	case "iam:CreateUser":
		if u, ok := s.iam.users[c.Params.Get("UserName")]; ok {
			u.By = by
		}
	case "iam:CreateRole":
		if r, ok := s.iam.roles[c.Params.Get("RoleName")]; ok {
			r.By = by
		}
	case "iam:CreateAccessKey":
		if out, ok := result.(createAccessKeyResult); ok {
			if k, ok := s.iam.keys[out.AccessKey.AccessKeyID]; ok {
				k.By = by
			}
		}
	}
	s.ec2After(c, by, result)
	s.iamAfter(c, by)
	if c.Service == "iam" {
		s.noteRefusals(c.Now)
	}
}

// ec2After records the EC2 and Auto Scaling changes that leave their resource listed.
func (s *Server) ec2After(c *Call, by string, result any) {
	r := s.ec2.region(c.Region)
	switch c.Service + ":" + c.Action {
	case "ec2:CreateKeyPair", "ec2:ImportKeyPair":
		if k := r.keyPair(c.Params.Get("KeyName")); k != nil {
			k.By = by
		}
	case "ec2:CancelSpotInstanceRequests":
		for _, id := range listParam(c.Params, "SpotInstanceRequestId") {
			s.ledger.end(HoldingKey(HoldingSpot, r.name, id), c.Now, by)
		}
	case "ec2:CancelSpotFleetRequests":
		for _, id := range listParam(c.Params, "SpotFleetRequestId") {
			s.ledger.end(HoldingKey(HoldingFleet, r.name, id), c.Now, by)
		}
	case "ec2:DeleteFleets":
		for _, id := range listParam(c.Params, "FleetId") {
			s.ledger.end(HoldingKey(HoldingFleet, r.name, id), c.Now, by)
		}
	case "ec2:DeleteLaunchTemplate":
		if out, ok := result.(deleteTemplateXML); ok {
			s.ledger.end(HoldingKey(HoldingTemplate, r.name, out.Template.Name), c.Now, by)
		}
	}
}

// goneSorted returns the deleted resources in the order they went.
func (l *ledger) goneSorted() []Holding {
	out := slices.Clone(l.gone)
	slices.SortStableFunc(out, func(a, b Holding) int { return a.Ended.Compare(b.Ended) })
	return out
}
