package sim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) registerSecurityGroups() {
	s.handle("ec2", "DescribeSecurityGroups", false, s.describeSecurityGroups)
	s.handle("ec2", "DescribeSecurityGroupRules", false, s.describeSecurityGroupRules)
	s.handle("ec2", "AuthorizeSecurityGroupIngress", true, s.authorizeIngress)
	s.handle("ec2", "RevokeSecurityGroupIngress", true, s.revokeIngress)
}

func (s *Server) describeSecurityGroups(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	ids, names := listParam(c.Params, "GroupId"), listParam(c.Params, "GroupName")
	for _, id := range ids {
		if r.securityGroup(id) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
	}
	for _, name := range names {
		if r.securityGroupNamed(name) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC", name)
		}
	}
	filters := filterParams(c.Params)
	for name := range filters {
		if name != "group-id" && name != "group-name" && name != "vpc-id" {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	var match []*securityGroup
	for _, g := range r.securityGroups {
		if (len(ids) > 0 && !slices.Contains(ids, g.ID)) || (len(names) > 0 && !slices.Contains(names, g.Name)) {
			continue
		}
		if v, ok := filters["group-id"]; ok && !contains(v, g.ID) {
			continue
		}
		if v, ok := filters["group-name"]; ok && !contains(v, g.Name) {
			continue
		}
		if v, ok := filters["vpc-id"]; ok && !contains(v, g.VPC) {
			continue
		}
		match = append(match, g)
	}
	start, end, next, err := pageOf(c.Params, len(match), len(ids)+len(names) > 0, "groupIds")
	if err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := describeGroupsXML{NextToken: next}
	for _, g := range match[start:end] {
		out.Groups = append(out.Groups, s.groupXML(c.Region, g))
	}
	return out, nil
}

func (s *Server) describeSecurityGroupRules(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	ids := listParam(c.Params, "SecurityGroupRuleId")
	filters := filterParams(c.Params)
	for name := range filters {
		if name != "group-id" && name != "security-group-rule-id" {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "The filter '%s' is invalid", name)
		}
	}
	var match []*sgRule
	found := map[string]bool{}
	for _, g := range r.securityGroups {
		for _, rule := range g.rules {
			found[rule.ID] = true
			if len(ids) > 0 && !slices.Contains(ids, rule.ID) {
				continue
			}
			if v, ok := filters["group-id"]; ok && !contains(v, g.ID) {
				continue
			}
			if v, ok := filters["security-group-rule-id"]; ok && !contains(v, rule.ID) {
				continue
			}
			match = append(match, rule)
		}
	}
	for _, id := range ids {
		if !found[id] {
			return nil, Errorf(http.StatusBadRequest, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}
	}
	start, end, next, err := pageOf(c.Params, len(match), len(ids) > 0, "securityGroupRuleIds")
	if err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := describeRulesXML{NextToken: next}
	for _, rule := range match[start:end] {
		out.Rules = append(out.Rules, s.ruleXML(c.Region, rule))
	}
	return out, nil
}

// targetGroup finds the group a rule call names, by GroupId or, in the default VPC, GroupName.
func (r *ec2Region) targetGroup(c *Call) (*securityGroup, error) {
	id, name := c.Params.Get("GroupId"), c.Params.Get("GroupName")
	switch {
	case id != "":
		if g := r.securityGroup(id); g != nil {
			return g, nil
		}
		return nil, Errorf(http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	case name != "":
		if g := r.securityGroupNamed(name); g != nil {
			return g, nil
		}
		return nil, Errorf(http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC", name)
	}
	return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter groupName or groupId")
}

func (s *Server) authorizeIngress(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	g, err := r.targetGroup(c)
	if err != nil {
		return nil, err
	}
	rules, err := permissionParams(c.Params)
	if err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter ipPermissions")
	}
	for _, rule := range rules {
		if rule.SourceGroup != "" && r.securityGroup(rule.SourceGroup) == nil {
			return nil, Errorf(http.StatusBadRequest, "InvalidGroup.NotFound", "The security group '%s' does not exist", rule.SourceGroup)
		}
		rule.GroupID, rule.Added, rule.By = g.ID, c.Now.UTC().Truncate(time.Second), c.callerKeyID()
	}
	// A dry run checks the rules against the group without adding them.
	trial := &securityGroup{rules: slices.Clone(g.rules)}
	if err := trial.ingress(rules); err != nil {
		return nil, err
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	out := authorizeXML{Return: true}
	for _, rule := range rules {
		rule.ID = s.ec2.ids.hex("sgr-", 17)
		out.Rules = append(out.Rules, s.ruleXML(c.Region, rule))
	}
	g.rules = append(g.rules, rules...)
	return out, nil
}

func (s *Server) revokeIngress(c *Call) (any, error) {
	r := s.ec2.region(c.Region)
	g, err := r.targetGroup(c)
	if err != nil {
		return nil, err
	}
	ids := listParam(c.Params, "SecurityGroupRuleId")
	asked, err := permissionParams(c.Params)
	if err != nil {
		return nil, err
	}
	switch {
	case len(ids) > 0 && len(asked) > 0:
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterCombination", "The parameter securityGroupRuleIds cannot be used with the parameter ipPermissions")
	case len(ids) == 0 && len(asked) == 0:
		return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter ipPermissions or securityGroupRuleIds")
	}
	out := revokeXML{Return: true}
	var gone []*sgRule
	for _, id := range ids {
		i := slices.IndexFunc(g.rules, func(x *sgRule) bool { return x.ID == id && !x.Egress })
		if i < 0 {
			return nil, Errorf(http.StatusBadRequest, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}
		gone = append(gone, g.rules[i])
	}
	for _, want := range asked {
		i := slices.IndexFunc(g.rules, func(x *sgRule) bool { return x.sameRule(want) })
		switch {
		case i >= 0:
			gone = append(gone, g.rules[i])
		case !g.DefaultVPC:
			return nil, Errorf(http.StatusBadRequest, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		default:
			// In the default VPC an unknown rule is not an error: the answer lists it.
			out.Return = false
			out.Unknown = append(out.Unknown, s.permissionsOf([]*sgRule{want}, false)...)
		}
	}
	if c.DryRun() {
		return nil, dryRunOK()
	}
	g.rules = slices.DeleteFunc(g.rules, func(x *sgRule) bool { return slices.Contains(gone, x) })
	for _, rule := range gone {
		out.Revoked = append(out.Revoked, revokedXML(rule))
	}
	return out, nil
}

// permissionParams reads IpPermissions.N (or the older top-level IpProtocol, FromPort, ToPort and
// CidrIp) into one rule per source, validating protocols and ports as EC2 does.
func permissionParams(p map[string][]string) ([]*sgRule, error) {
	get := func(k string) string {
		if v := p[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var out []*sgRule
	if cidr := get("CidrIp"); cidr != "" {
		rule, err := ruleFrom(get("IpProtocol"), get("FromPort"), get("ToPort"))
		if err != nil {
			return nil, err
		}
		rule.CIDR4 = cidr
		out = append(out, rule)
	}
	for i := 1; ; i++ {
		prefix := "IpPermissions." + strconv.Itoa(i) + "."
		proto := get(prefix + "IpProtocol")
		if proto == "" {
			if _, more := p[prefix+"FromPort"]; !more {
				return out, nil
			}
			return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter ipProtocol")
		}
		base, err := ruleFrom(proto, get(prefix+"FromPort"), get(prefix+"ToPort"))
		if err != nil {
			return nil, err
		}
		n := len(out)
		for j := 1; ; j++ {
			in := prefix + "IpRanges." + strconv.Itoa(j) + "."
			if get(in+"CidrIp") == "" {
				break
			}
			rule := *base
			rule.CIDR4, rule.Description = get(in+"CidrIp"), get(in+"Description")
			out = append(out, &rule)
		}
		for j := 1; ; j++ {
			in := prefix + "Ipv6Ranges." + strconv.Itoa(j) + "."
			if get(in+"CidrIpv6") == "" {
				break
			}
			rule := *base
			rule.CIDR6, rule.Description = get(in+"CidrIpv6"), get(in+"Description")
			out = append(out, &rule)
		}
		for j := 1; ; j++ {
			in := prefix + "Groups." + strconv.Itoa(j) + "."
			if get(in+"GroupId") == "" {
				break
			}
			rule := *base
			rule.SourceGroup, rule.Description = get(in+"GroupId"), get(in+"Description")
			out = append(out, &rule)
		}
		if get(prefix+"PrefixListIds.1.PrefixListId") != "" {
			return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "prefix lists are not available in this account")
		}
		if len(out) == n {
			return nil, Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain a source for IpPermissions.%d: ipRanges, ipv6Ranges or groups", i)
		}
		for _, rule := range out[n:] {
			if (rule.CIDR4 != "" && (!validCIDR(rule.CIDR4) || strings.Contains(rule.CIDR4, ":"))) ||
				(rule.CIDR6 != "" && (!validCIDR(rule.CIDR6) || !strings.Contains(rule.CIDR6, ":"))) {
				return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "CIDR block %s%s is malformed", rule.CIDR4, rule.CIDR6)
			}
		}
	}
}

// ruleFrom reads a protocol and its ports: tcp and udp need a range within 0-65535, icmp a type
// and code, all traffic none.
func ruleFrom(proto, from, to string) (*sgRule, error) {
	p, ok := normalProtocol(proto)
	if !ok || proto == "" {
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", proto)
	}
	rule := &sgRule{Protocol: p, From: -1, To: -1}
	if p == "-1" {
		return rule, nil
	}
	f, ferr := strconv.Atoi(from)
	t, terr := strconv.Atoi(to)
	lowest, highest := 0, 65535
	if p == "icmp" {
		lowest, highest = -1, 255
	}
	if ferr != nil || terr != nil || f < lowest || t > highest || (p != "icmp" && f > t) {
		return nil, Errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid value '%s-%s' for portRange. Must specify both from and to ports with TCP/UDP.", from, to)
	}
	rule.From, rule.To = int32(f), int32(t)
	return rule, nil
}
