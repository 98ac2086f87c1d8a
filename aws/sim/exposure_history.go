package sim

import (
	"fmt"
	"strings"
	"time"
)

// seedExposureHistory writes the events behind the rules and shares the scenario planted with a
// `by`, region by region: AuthorizeSecurityGroupIngress naming the rule's id, and
// ModifySnapshotAttribute or ModifyImageAttribute naming whom it shared with.
func (s *Server) seedExposureHistory() error {
	for _, name := range sortedRegionNames(s.ec2.regions) {
		r := s.ec2.regions[name]
		for _, g := range r.securityGroups {
			for _, rule := range g.rules {
				if rule.By == "" || !rule.planted {
					continue
				}
				err := s.historyEvent(rule.By, rule.Added, name, "ec2", "AuthorizeSecurityGroupIngress",
					map[string]any{"groupId": g.ID, "ipPermissions": permissionItems([]*sgRule{rule})},
					s.authorizeElements([]*sgRule{rule}), []lookupResource{{"AWS::EC2::SecurityGroup", g.ID}})
				if err != nil {
					return err // every by was checked at its place (checkActors)
				}
			}
		}
		for _, sn := range r.snapshots {
			if err := s.grantHistory(name, "ModifySnapshotAttribute", "AWS::EC2::Snapshot", "snapshotId", sn.ID,
				"CREATE_VOLUME_PERMISSION", "createVolumePermission", sn.grants); err != nil {
				return err
			}
		}
		for _, img := range r.images {
			if err := s.grantHistory(name, "ModifyImageAttribute", "AWS::EC2::Image", "imageId", img.ID,
				"launchPermission", "launchPermission", img.grants); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) grantHistory(region, action, kind, idKey, id, attrType, attr string, grants []grant) error {
	for _, g := range grants {
		if g.By == "" {
			continue
		}
		err := s.historyEvent(g.By, g.At, region, "ec2", action, shareRequest(idKey, id, attrType, attr, permissionChange{Add: []string{g.Who}}),
			map[string]any{"_return": true}, []lookupResource{{kind, id}})
		if err != nil {
			return err // every by was checked at its place (checkActors)
		}
	}
	return nil
}

// applyPastCall gives an attacker's past call of an action the simulator models its effect on the
// account, so what CloudTrail remembers is also what the account holds: the rules an
// AuthorizeSecurityGroupIngress names (with the ids of its responseElements) exist, and the
// accounts a Modify*Attribute added may use the snapshot or AMI. A group, snapshot or AMI the
// scenario does not list is made for it.
func (s *Server) applyPastCall(c PastCall, at time.Time, by string) error {
	region := c.Region
	if region == "" {
		region = globalRegion
	}
	if c.Service != "ec2" {
		return nil
	}
	r := s.ec2.region(region)
	switch c.Action {
	case "AuthorizeSecurityGroupIngress":
		return s.pastIngress(r, c, at, by)
	case "ModifySnapshotAttribute":
		id := fmt.Sprint(c.Params["snapshotId"])
		sn := r.snapshot(id)
		if sn == nil {
			sn = s.ec2.addSnapshot(r, id, at)
		}
		sn.shares = pastPermissionChange(c.Params["createVolumePermission"]).apply(sn.shares)
	case "ModifyImageAttribute":
		id := fmt.Sprint(c.Params["imageId"])
		img := r.image(id)
		if img == nil {
			img = s.ec2.addImage(r, id, "", at)
		}
		img.shares = pastPermissionChange(c.Params["launchPermission"]).apply(img.shares)
	}
	return nil
}

// pastIngress adds the rules of a past AuthorizeSecurityGroupIngress: those its response names,
// with their ids, or else those its request asks for.
func (s *Server) pastIngress(r *ec2Region, c PastCall, at time.Time, by string) error {
	gid := fmt.Sprint(c.Params["groupId"])
	if !strings.HasPrefix(gid, "sg-") {
		return fmt.Errorf("params: groupId %q is not a security group id", gid)
	}
	g := r.securityGroup(gid)
	if g == nil {
		g = r.addGroup(s.ec2.ids, gid, gid, "made for the scenario's history", "", at)
	}
	var rules []*sgRule
	for _, it := range setItems(c.Response, "securityGroupRuleSet") {
		if it["isEgress"] == true {
			continue
		}
		rule := &sgRule{ID: str(it["securityGroupRuleId"]), Protocol: str(it["ipProtocol"]), From: num(it["fromPort"]), To: num(it["toPort"]),
			CIDR4: str(it["cidrIpv4"]), CIDR6: str(it["cidrIpv6"])}
		if ref, ok := it["referencedGroupInfo"].(map[string]any); ok {
			rule.SourceGroup = str(ref["groupId"])
		}
		rules = append(rules, rule)
	}
	if len(rules) == 0 {
		for _, it := range setItems(c.Params, "ipPermissions") {
			proto := str(it["ipProtocol"])
			for _, rg := range setItems(it, "ipRanges") {
				rules = append(rules, &sgRule{Protocol: proto, From: num(it["fromPort"]), To: num(it["toPort"]), CIDR4: str(rg["cidrIp"])})
			}
			for _, rg := range setItems(it, "ipv6Ranges") {
				rules = append(rules, &sgRule{Protocol: proto, From: num(it["fromPort"]), To: num(it["toPort"]), CIDR6: str(rg["cidrIpv6"])})
			}
		}
	}
	for _, rule := range rules {
		if p, ok := normalProtocol(rule.Protocol); ok {
			rule.Protocol = p
		}
		if rule.Protocol == "-1" {
			rule.From, rule.To = -1, -1
		}
		if rule.ID == "" {
			rule.ID = s.ec2.ids.hex("sgr-", 17)
		}
		rule.GroupID, rule.Added, rule.By = g.ID, at.UTC().Truncate(time.Second), by
	}
	if err := g.ingress(rules); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	return nil
}

// pastPermissionChange reads {"add": {"items": [{"userId": …}|{"group": "all"}]}, "remove": …}.
func pastPermissionChange(v any) permissionChange {
	m, _ := v.(map[string]any)
	var ch permissionChange
	for _, it := range setItems(m, "add") {
		ch.Add = append(ch.Add, str(it["userId"])+str(it["group"]))
	}
	for _, it := range setItems(m, "remove") {
		ch.Remove = append(ch.Remove, str(it["userId"])+str(it["group"]))
	}
	return ch
}

// setItems returns the objects of a CloudTrail "xxxSet": {"items": [...]}.
func setItems(m map[string]any, key string) []map[string]any {
	set, _ := m[key].(map[string]any)
	list, _ := set["items"].([]any)
	var out []map[string]any
	for _, it := range list {
		if o, ok := it.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// num reads a port from a scenario value (YAML gives integers of several types); absent is -1.
func num(v any) int32 {
	var n int32 = -1
	if v != nil {
		_, _ = fmt.Sscan(fmt.Sprint(v), &n)
	}
	return n
}
