package sim

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// exposureState is a region's security groups, and the snapshots and AMIs the account owns there.
type exposureState struct {
	defaultVPC     string
	securityGroups []*securityGroup
	snapshots      []*snapshot
	images         []*image
}

type securityGroup struct {
	ID, Name, Description, VPC string
	// DefaultVPC decides how a revoke of an unknown rule ends: listed as unknown in the default
	// VPC, InvalidPermission.NotFound elsewhere.
	DefaultVPC bool
	rules      []*sgRule
}

// sgRule is one rule. Protocol is EC2's: tcp, udp, icmp or -1 (all); ports are -1 for all.
type sgRule struct {
	ID, GroupID                            string
	Egress                                 bool
	Protocol                               string
	From, To                               int32
	CIDR4, CIDR6, SourceGroup, Description string
	Added                                  time.Time
	// By is who added it: the scenario's `by`, or the key that signed the call.
	By string
	// planted marks a rule of the scenario's security_groups, whose event the history writes.
	planted bool
}

// normalProtocol reads a protocol as EC2 accepts it (a name or its number) into EC2's form.
func normalProtocol(p string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "", "tcp", "6":
		return "tcp", true
	case "udp", "17":
		return "udp", true
	case "icmp", "1":
		return "icmp", true
	case "all", "-1":
		return "-1", true
	}
	return "", false
}

func validCIDR(s string) bool {
	_, _, err := net.ParseCIDR(s)
	return err == nil
}

func (r *ec2Region) securityGroup(id string) *securityGroup {
	for _, g := range r.securityGroups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

func (r *ec2Region) securityGroupNamed(name string) *securityGroup {
	for _, g := range r.securityGroups {
		if g.Name == name && g.DefaultVPC {
			return g
		}
	}
	return nil
}

// addGroup creates a group with AWS's default outbound rule (all traffic to everywhere).
func (r *ec2Region) addGroup(ids *idSource, id, name, description, vpc string, at time.Time) *securityGroup {
	if id == "" {
		id = ids.hex("sg-", 17)
	}
	if vpc == "" {
		vpc = r.defaultVPC
	}
	g := &securityGroup{ID: id, Name: name, Description: description, VPC: vpc, DefaultVPC: vpc == r.defaultVPC}
	r.securityGroups = append(r.securityGroups, g)
	g.rules = append(g.rules, &sgRule{ID: ids.hex("sgr-", 17), GroupID: id, Egress: true, Protocol: "-1", From: -1, To: -1,
		CIDR4: "0.0.0.0/0", Added: at})
	return g
}

// sameRule reports whether two rules grant the same thing, which EC2 refuses to add twice.
func (x *sgRule) sameRule(y *sgRule) bool {
	return x.Egress == y.Egress && x.Protocol == y.Protocol && x.From == y.From && x.To == y.To &&
		x.CIDR4 == y.CIDR4 && x.CIDR6 == y.CIDR6 && x.SourceGroup == y.SourceGroup
}

// describe is how EC2's errors name a rule.
func (x *sgRule) describe() string {
	peer := x.CIDR4 + x.CIDR6 + x.SourceGroup
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, strings.ToUpper(x.Protocol), x.From, x.To)
}

// ingress adds rules to a group, refusing a duplicate or a group over its 60 inbound rules, as EC2
// does; nothing is added when any is refused.
func (g *securityGroup) ingress(rules []*sgRule) error {
	count := 0
	for _, r := range g.rules {
		if !r.Egress {
			count++
		}
	}
	for i, r := range rules {
		for _, other := range append(g.rules[:len(g.rules):len(g.rules)], rules[:i]...) {
			if other.sameRule(r) {
				return Errorf(http.StatusBadRequest, "InvalidPermission.Duplicate", "the specified rule %q already exists", r.describe())
			}
		}
	}
	if count+len(rules) > 60 {
		return Errorf(http.StatusBadRequest, "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	g.rules = append(g.rules, rules...)
	return nil
}

// seedDefaultGroups gives every enabled region a default group, unless the scenario planted one:
// its rules let members of the group reach each other, as AWS's default group does.
func (st *ec2State) seedDefaultGroups(s *Server) {
	for _, reg := range s.regions {
		if reg.OptIn == "not-opted-in" {
			continue
		}
		r := st.region(reg.Name)
		if r.securityGroupNamed("default") != nil {
			continue
		}
		g := r.addGroup(st.ids, "", "default", "default VPC security group", "", time.Time{})
		g.rules = append(g.rules, &sgRule{ID: st.ids.hex("sgr-", 17), GroupID: g.ID, Protocol: "-1", From: -1, To: -1, SourceGroup: g.ID})
	}
}

// seedGroups plants the scenario's security groups and their rules.
func (st *ec2State) seedGroups(s *Server, specs []SecurityGroupSpec) error {
	for i, gs := range specs {
		r := st.region(gs.Region)
		name := gs.Name
		if name == "" {
			name = "launch-wizard-" + strconv.Itoa(len(r.securityGroups)+1)
		}
		g := r.addGroup(st.ids, gs.ID, name, gs.Description, gs.VPCID, time.Time{})
		for j, rs := range gs.Rules {
			at := resolveChecked(rs.At, s.start)
			rule := &sgRule{ID: rs.ID, GroupID: g.ID, Egress: rs.Egress, Description: rs.Description, Added: at.UTC().Truncate(time.Second), By: rs.By, planted: true}
			rule.Protocol, _ = normalProtocol(rs.Protocol)
			rule.From, rule.To = rs.ports()
			if rule.ID == "" {
				rule.ID = st.ids.hex("sgr-", 17)
			}
			switch {
			case rs.SourceGroup != "":
				rule.SourceGroup = rs.SourceGroup
			case strings.Contains(rs.CIDR, ":"):
				rule.CIDR6 = rs.CIDR
			default:
				rule.CIDR4 = rs.CIDR
			}
			if rule.Egress {
				g.rules = append(g.rules, rule)
				continue
			}
			if err := g.ingress([]*sgRule{rule}); err != nil {
				return fmt.Errorf("ec2.security_groups[%d].rules[%d]: %w", i, j, err)
			}
		}
	}
	return nil
}
