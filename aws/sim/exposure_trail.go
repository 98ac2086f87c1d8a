package sim

import (
	"net/url"
)

// CloudTrail's records of the exposure calls, in AWS's shapes: an AuthorizeSecurityGroupIngress
// names the new rules' ids in its responseElements, and a Modify*Attribute names whom it added
// and removed in its requestParameters. Served calls and the scenario's history write the same.

// exposureRequest renders a served exposure call's requestParameters; nil for other calls.
func exposureRequest(action string, form url.Values) any {
	switch action {
	case "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress":
		out := map[string]any{"groupId": form.Get("GroupId")}
		if form.Get("GroupId") == "" {
			out = map[string]any{"groupName": form.Get("GroupName")}
		}
		if ids := listParam(form, "SecurityGroupRuleId"); len(ids) > 0 {
			var items []any
			for _, id := range ids {
				items = append(items, map[string]any{"securityGroupRuleId": id})
			}
			out["securityGroupRuleIds"] = map[string]any{"items": items}
		}
		if rules, err := permissionParams(form); err == nil && len(rules) > 0 {
			out["ipPermissions"] = permissionItems(rules)
		}
		return out
	case "ModifySnapshotAttribute":
		ch, _ := permissionChangeParams(form, "createVolumePermission", "CreateVolumePermission")
		return shareRequest("snapshotId", form.Get("SnapshotId"), "CREATE_VOLUME_PERMISSION", "createVolumePermission", ch)
	case "ModifyImageAttribute":
		ch, err := permissionChangeParams(form, "launchPermission", "LaunchPermission")
		if err != nil {
			return map[string]any{"imageId": form.Get("ImageId"), "attributeType": form.Get("Attribute")}
		}
		return shareRequest("imageId", form.Get("ImageId"), "launchPermission", "launchPermission", ch)
	}
	return nil
}

// permissionItems is CloudTrail's ipPermissions: one item per rule.
func permissionItems(rules []*sgRule) map[string]any {
	var items []any
	for _, r := range rules {
		it := map[string]any{"ipProtocol": r.Protocol, "groups": map[string]any{}, "ipRanges": map[string]any{},
			"ipv6Ranges": map[string]any{}, "prefixListIds": map[string]any{}}
		if r.Protocol != "-1" {
			it["fromPort"], it["toPort"] = r.From, r.To
		}
		switch {
		case r.CIDR4 != "":
			it["ipRanges"] = map[string]any{"items": []any{map[string]any{"cidrIp": r.CIDR4}}}
		case r.CIDR6 != "":
			it["ipv6Ranges"] = map[string]any{"items": []any{map[string]any{"cidrIpv6": r.CIDR6}}}
		default:
			it["groups"] = map[string]any{"items": []any{map[string]any{"groupId": r.SourceGroup}}}
		}
		items = append(items, it)
	}
	return map[string]any{"items": items}
}

// ruleElements is a rule as a securityGroupRuleSet item of CloudTrail's responseElements.
func (s *Server) ruleElements(r *sgRule) map[string]any {
	it := map[string]any{"groupOwnerId": s.Account(), "groupId": r.GroupID, "securityGroupRuleId": r.ID, "isEgress": r.Egress,
		"ipProtocol": r.Protocol, "fromPort": r.From, "toPort": r.To}
	switch {
	case r.CIDR4 != "":
		it["cidrIpv4"] = r.CIDR4
	case r.CIDR6 != "":
		it["cidrIpv6"] = r.CIDR6
	default:
		it["referencedGroupInfo"] = map[string]any{"groupId": r.SourceGroup, "userId": s.Account()}
	}
	return it
}

func (s *Server) authorizeElements(rules []*sgRule) map[string]any {
	var items []any
	for _, r := range rules {
		items = append(items, s.ruleElements(r))
	}
	return map[string]any{"_return": true, "securityGroupRuleSet": map[string]any{"items": items}}
}

// shareRequest is a Modify*Attribute's requestParameters: whom it added and removed.
func shareRequest(idKey, id, attributeType, attribute string, ch permissionChange) map[string]any {
	grantees := func(list []string) map[string]any {
		var items []any
		for _, who := range list {
			if who == "all" {
				items = append(items, map[string]any{"group": who})
			} else {
				items = append(items, map[string]any{"userId": who})
			}
		}
		return map[string]any{"items": items}
	}
	perm := map[string]any{}
	if len(ch.Add) > 0 {
		perm["add"] = grantees(ch.Add)
	}
	if len(ch.Remove) > 0 {
		perm["remove"] = grantees(ch.Remove)
	}
	return map[string]any{idKey: id, "attributeType": attributeType, attribute: perm}
}

// exposureElements renders the responseElements and lookup resources of a served exposure call.
func (s *Server) exposureElements(c *Call, result any) (any, []lookupResource, bool) {
	switch r := result.(type) {
	case authorizeXML:
		g := s.ec2.region(c.Region).groupWithRule(r.Rules)
		return s.authorizeElements(g), []lookupResource{{"AWS::EC2::SecurityGroup", c.Params.Get("GroupId")}}, true
	case revokeXML:
		var items []any
		for _, rv := range r.Revoked {
			items = append(items, map[string]any{"securityGroupRuleId": rv.ID, "groupId": rv.GroupID, "isEgress": rv.Egress})
		}
		return map[string]any{"_return": r.Return, "revokedSecurityGroupRuleSet": map[string]any{"items": items}},
			[]lookupResource{{"AWS::EC2::SecurityGroup", c.Params.Get("GroupId")}}, true
	case sharesChanged:
		kind := "AWS::EC2::Snapshot"
		if r.attribute == "launchPermission" {
			kind = "AWS::EC2::Image"
		}
		return map[string]any{"_return": true}, []lookupResource{{kind, r.resource}}, true
	}
	return nil, nil, false
}

// groupWithRule finds the rules an answer names, for their CloudTrail record.
func (r *ec2Region) groupWithRule(answered []ruleXML) []*sgRule {
	var out []*sgRule
	for _, a := range answered {
		if g := r.securityGroup(a.GroupID); g != nil {
			for _, rule := range g.rules {
				if rule.ID == a.ID {
					out = append(out, rule)
				}
			}
		}
	}
	return out
}
