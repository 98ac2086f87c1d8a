package aws

import (
	"strconv"
	"strings"
)

// Kinds of Touched for what opens the account to others.
const (
	// TouchedIngressRule is an inbound rule an AuthorizeSecurityGroupIngress added, by its id.
	TouchedIngressRule = "security group rule"
	// TouchedSnapshotShare and TouchedImageShare are a snapshot or an AMI a Modify*Attribute
	// shared with another account or the public.
	TouchedSnapshotShare = "snapshot share"
	TouchedImageShare    = "AMI share"
)

// IngressAdded is what an AuthorizeSecurityGroupIngress added: the group, the ids of the new
// rules as its responseElements name them, and the rules its requestParameters asked for (by which
// a record without ids is matched to the group's rules).
type IngressAdded struct {
	GroupID string
	RuleIDs []string
	Rules   []IngressRule
}

// IngressAdded reads a successful AuthorizeSecurityGroupIngress record.
func (e TrailEvent) IngressAdded() (IngressAdded, bool) {
	if e.EventName != "AuthorizeSecurityGroupIngress" || !e.Succeeded() {
		return IngressAdded{}, false
	}
	req, resp := e.rec.Request(), e.rec.Response()
	out := IngressAdded{GroupID: field(req, "groupId")}
	for _, it := range items(resp, "securityGroupRuleSet") {
		if id, _ := it["securityGroupRuleId"].(string); id != "" && it["isEgress"] != true {
			out.RuleIDs = append(out.RuleIDs, id)
			if out.GroupID == "" {
				out.GroupID, _ = it["groupId"].(string)
			}
		}
	}
	for _, p := range items(req, "ipPermissions") {
		base := IngressRule{Region: e.Region, GroupID: out.GroupID, Protocol: protocolOf(p["ipProtocol"]), FromPort: portOf(p["fromPort"]), ToPort: portOf(p["toPort"])}
		if base.Protocol == "-1" {
			base.FromPort, base.ToPort = -1, -1
		}
		for _, r := range items(p, "ipRanges") {
			rule := base
			rule.CIDR, _ = r["cidrIp"].(string)
			out.Rules = append(out.Rules, rule)
		}
		for _, r := range items(p, "ipv6Ranges") {
			rule := base
			rule.CIDR, _ = r["cidrIpv6"].(string)
			out.Rules = append(out.Rules, rule)
		}
		for _, g := range items(p, "groups") {
			rule := base
			rule.SourceGroup, _ = g["groupId"].(string)
			out.Rules = append(out.Rules, rule)
		}
	}
	return out, out.GroupID != ""
}

// Matches reports whether a rule of the account grants what a requested rule asked for.
func (r IngressRule) Matches(asked IngressRule) bool {
	return r.GroupID == asked.GroupID && protocolOf(r.Protocol) == asked.Protocol && r.CIDR == asked.CIDR &&
		r.SourceGroup == asked.SourceGroup && (asked.Protocol == "-1" || (r.FromPort == asked.FromPort && r.ToPort == asked.ToPort))
}

// SharesChanged is whom a ModifySnapshotAttribute or ModifyImageAttribute added to, or removed
// from, a snapshot's createVolumePermission or an AMI's launchPermission: account ids, and "all".
type SharesChanged struct {
	Kind, ID       string
	Added, Removed []string
}

// SharesChanged reads a successful Modify*Attribute record that changed who may use a snapshot
// or an AMI.
func (e TrailEvent) SharesChanged() (SharesChanged, bool) {
	if !e.Succeeded() {
		return SharesChanged{}, false
	}
	req := e.rec.Request()
	var out SharesChanged
	var perm map[string]any
	switch e.EventName {
	case "ModifySnapshotAttribute":
		out.Kind, out.ID = KindSnapshot, field(req, "snapshotId")
		perm, _ = req["createVolumePermission"].(map[string]any)
	case "ModifyImageAttribute":
		out.Kind, out.ID = KindImage, field(req, "imageId")
		perm, _ = req["launchPermission"].(map[string]any)
	default:
		return out, false
	}
	grantees := func(set string) []string {
		var who []string
		for _, it := range items(perm, set) {
			user, _ := it["userId"].(string)
			group, _ := it["group"].(string)
			who = grantee(who, user, group)
		}
		return who
	}
	out.Added, out.Removed = grantees("add"), grantees("remove")
	return out, out.ID != "" && len(out.Added)+len(out.Removed) > 0
}

// exposureTouched names what an event that opens the account touched: each rule by its id (the
// group when the record names no rule), the snapshot or AMI it shared.
func (e TrailEvent) exposureTouched() ([]Touched, bool) {
	if in, ok := e.IngressAdded(); ok && len(in.RuleIDs) > 0 {
		var out []Touched
		for _, id := range in.RuleIDs {
			out = append(out, Touched{Kind: TouchedIngressRule, ID: id, ARN: e.arn("ec2", "security-group-rule/"+id)})
		}
		return out, true
	}
	if sh, ok := e.SharesChanged(); ok && len(sh.Added) > 0 {
		kind, resource := TouchedSnapshotShare, "snapshot/"
		if sh.Kind == KindImage {
			kind, resource = TouchedImageShare, "image/"
		}
		// Snapshot and AMI ARNs name no account.
		return []Touched{{Kind: kind, ID: sh.ID, ARN: "arn:aws:ec2:" + e.Region + "::" + resource + sh.ID}}, true
	}
	return nil, false
}

func protocolOf(v any) string {
	s := strings.ToLower(strings.TrimSpace(stringOf(v)))
	switch s {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "all":
		return "-1"
	}
	return s
}

// portOf reads a port from a record (JSON numbers are float64); absent is -1.
func portOf(v any) int32 {
	switch n := v.(type) {
	case float64:
		return int32(n)
	case int:
		return int32(n)
	}
	return -1
}

func stringOf(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	}
	return ""
}
