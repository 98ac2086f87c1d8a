package sim

import (
	"net/http"
	"sort"
	"strconv"
)

// EC2's security group shapes, element for element, so the real SDK parses them.

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6RangeXML struct {
	CidrIPv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type groupPairXML struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type ipPermissionXML struct {
	IPProtocol string         `xml:"ipProtocol"`
	FromPort   *int32         `xml:"fromPort,omitempty"`
	ToPort     *int32         `xml:"toPort,omitempty"`
	Groups     []groupPairXML `xml:"groups>item"`
	IPRanges   []ipRangeXML   `xml:"ipRanges>item"`
	IPv6Ranges []ipv6RangeXML `xml:"ipv6Ranges>item"`
}

type securityGroupXML struct {
	OwnerID     string            `xml:"ownerId"`
	GroupName   string            `xml:"groupName"`
	GroupID     string            `xml:"groupId"`
	Description string            `xml:"groupDescription"`
	VPCID       string            `xml:"vpcId"`
	ARN         string            `xml:"securityGroupArn"`
	Ingress     []ipPermissionXML `xml:"ipPermissions>item"`
	Egress      []ipPermissionXML `xml:"ipPermissionsEgress>item"`
}

type describeGroupsXML struct {
	Groups    []securityGroupXML `xml:"securityGroupInfo>item"`
	NextToken string             `xml:"nextToken,omitempty"`
}

type referencedGroupXML struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type ruleXML struct {
	ID          string              `xml:"securityGroupRuleId"`
	GroupID     string              `xml:"groupId"`
	OwnerID     string              `xml:"groupOwnerId"`
	Egress      bool                `xml:"isEgress"`
	Protocol    string              `xml:"ipProtocol"`
	FromPort    int32               `xml:"fromPort"`
	ToPort      int32               `xml:"toPort"`
	CIDR4       string              `xml:"cidrIpv4,omitempty"`
	CIDR6       string              `xml:"cidrIpv6,omitempty"`
	Referenced  *referencedGroupXML `xml:"referencedGroupInfo,omitempty"`
	Description string              `xml:"description,omitempty"`
	ARN         string              `xml:"securityGroupRuleArn"`
}

type describeRulesXML struct {
	Rules     []ruleXML `xml:"securityGroupRuleSet>item"`
	NextToken string    `xml:"nextToken,omitempty"`
}

// authorizeXML answers AuthorizeSecurityGroupIngress with the new rules' ids, as EC2 does.
type authorizeXML struct {
	Return bool      `xml:"return"`
	Rules  []ruleXML `xml:"securityGroupRuleSet>item"`
}

type revokedRuleXML struct {
	ID       string `xml:"securityGroupRuleId"`
	GroupID  string `xml:"groupId"`
	Egress   bool   `xml:"isEgress"`
	Protocol string `xml:"ipProtocol"`
	FromPort int32  `xml:"fromPort"`
	ToPort   int32  `xml:"toPort"`
	CIDR4    string `xml:"cidrIpv4,omitempty"`
	CIDR6    string `xml:"cidrIpv6,omitempty"`
	Source   string `xml:"referencedGroupId,omitempty"`
}

type revokeXML struct {
	Return  bool              `xml:"return"`
	Unknown []ipPermissionXML `xml:"unknownIpPermissionSet>item"`
	Revoked []revokedRuleXML  `xml:"revokedSecurityGroupRuleSet>item"`
}

func (s *Server) ruleXML(region string, r *sgRule) ruleXML {
	out := ruleXML{ID: r.ID, GroupID: r.GroupID, OwnerID: s.Account(), Egress: r.Egress, Protocol: r.Protocol,
		FromPort: r.From, ToPort: r.To, CIDR4: r.CIDR4, CIDR6: r.CIDR6, Description: r.Description,
		ARN: "arn:aws:ec2:" + region + ":" + s.Account() + ":security-group-rule/" + r.ID}
	if r.SourceGroup != "" {
		out.Referenced = &referencedGroupXML{GroupID: r.SourceGroup, UserID: s.Account()}
	}
	return out
}

func revokedXML(r *sgRule) revokedRuleXML {
	return revokedRuleXML{ID: r.ID, GroupID: r.GroupID, Egress: r.Egress, Protocol: r.Protocol, FromPort: r.From, ToPort: r.To,
		CIDR4: r.CIDR4, CIDR6: r.CIDR6, Source: r.SourceGroup}
}

// permissionsOf groups rules into IpPermissions by protocol and ports, as DescribeSecurityGroups
// answers; all traffic has no ports.
func (s *Server) permissionsOf(rules []*sgRule, egress bool) []ipPermissionXML {
	var out []ipPermissionXML
	index := map[string]int{}
	for _, r := range rules {
		if r.Egress != egress {
			continue
		}
		key := r.Protocol + "/" + strconv.Itoa(int(r.From)) + "/" + strconv.Itoa(int(r.To))
		i, ok := index[key]
		if !ok {
			p := ipPermissionXML{IPProtocol: r.Protocol}
			if r.Protocol != "-1" {
				from, to := r.From, r.To
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
			i = len(out) - 1
			index[key] = i
		}
		p := &out[i]
		switch {
		case r.CIDR4 != "":
			p.IPRanges = append(p.IPRanges, ipRangeXML{CidrIP: r.CIDR4, Description: r.Description})
		case r.CIDR6 != "":
			p.IPv6Ranges = append(p.IPv6Ranges, ipv6RangeXML{CidrIPv6: r.CIDR6, Description: r.Description})
		default:
			p.Groups = append(p.Groups, groupPairXML{GroupID: r.SourceGroup, UserID: s.Account()})
		}
	}
	return out
}

func (s *Server) groupXML(region string, g *securityGroup) securityGroupXML {
	return securityGroupXML{OwnerID: s.Account(), GroupName: g.Name, GroupID: g.ID, Description: g.Description, VPCID: g.VPC,
		ARN:     "arn:aws:ec2:" + region + ":" + s.Account() + ":security-group/" + g.ID,
		Ingress: s.permissionsOf(g.rules, false), Egress: s.permissionsOf(g.rules, true)}
}

// pageOf cuts one page of n items from the request's NextToken and MaxResults (5 to 1000, and not
// together with explicit ids, as EC2 refuses).
func pageOf(p map[string][]string, n int, withIDs bool, idsParam string) (start, end int, next string, err error) {
	size := defaultPage
	if v, ok := p["MaxResults"]; ok && len(v) > 0 {
		if withIDs {
			return 0, 0, "", Errorf(http.StatusBadRequest, "InvalidParameterCombination", "The parameter %s cannot be used with the parameter maxResults", idsParam)
		}
		size, err = strconv.Atoi(v[0])
		if err != nil || size < 5 || size > 1000 {
			return 0, 0, "", Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value ( %s ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", v[0])
		}
	}
	var token string
	if v := p["NextToken"]; len(v) > 0 {
		token = v[0]
	}
	if start, err = pageStart(token); err != nil {
		return 0, 0, "", err
	}
	start = min(start, n)
	end = min(start+size, n)
	if end < n {
		next = "page-" + strconv.Itoa(end)
	}
	return start, end, next, nil
}

// sortedRegionNames is a stable order for listings across regions.
func sortedRegionNames(m map[string]*ec2Region) []string {
	out := make([]string, 0, len(m))
	for name := range m {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
