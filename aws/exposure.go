package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// ExposureReadAPI is every EC2 call that reads what exposes the account: security groups and
// their rules, and the snapshots and AMIs the account owns with whom they are shared.
type ExposureReadAPI interface {
	ec2.DescribeSecurityGroupRulesAPIClient
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSnapshotsAPIClient
	ec2.DescribeImagesAPIClient
	DescribeSnapshotAttribute(ctx context.Context, in *ec2.DescribeSnapshotAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotAttributeOutput, error)
	DescribeImageAttribute(ctx context.Context, in *ec2.DescribeImageAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImageAttributeOutput, error)
}

// IngressRule is one inbound rule of a security group.
type IngressRule struct {
	Region    string `json:"region"`
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name,omitempty"`
	RuleID    string `json:"rule_id"`
	// Protocol is EC2's: tcp, udp, icmp, or -1 for all traffic (whose ports are -1).
	Protocol string `json:"protocol"`
	FromPort int32  `json:"from_port"`
	ToPort   int32  `json:"to_port"`
	// The source: an IPv4 or IPv6 block, another group, or a prefix list.
	CIDR        string `json:"cidr,omitempty"`
	SourceGroup string `json:"source_group,omitempty"`
	PrefixList  string `json:"prefix_list,omitempty"`
	Description string `json:"description,omitempty"`
}

// WorldOpen reports whether anyone on the internet may connect: a source of 0.0.0.0/0 or ::/0.
func (r IngressRule) WorldOpen() bool { return r.CIDR == "0.0.0.0/0" || r.CIDR == "::/0" }

// Covers reports whether the rule lets traffic reach port (over TCP or UDP).
func (r IngressRule) Covers(port int32) bool {
	switch r.Protocol {
	case "-1":
		return true
	case "tcp", "udp", "6", "17":
		return r.FromPort <= port && port <= r.ToPort
	}
	return false
}

// Ports says what the rule lets through, in the operator's words: "tcp 22", "all traffic".
func (r IngressRule) Ports() string {
	switch {
	case r.Protocol == "-1":
		return "all traffic"
	case r.Protocol == "icmp" || r.Protocol == "1":
		return "icmp"
	case r.FromPort == r.ToPort:
		return r.Protocol + " " + strconv.Itoa(int(r.FromPort))
	}
	return fmt.Sprintf("%s %d-%d", r.Protocol, r.FromPort, r.ToPort)
}

// Source is where the rule lets traffic come from.
func (r IngressRule) Source() string {
	switch {
	case r.CIDR != "":
		return r.CIDR
	case r.SourceGroup != "":
		return "the group " + r.SourceGroup
	}
	return "the prefix list " + r.PrefixList
}

// Public is who a snapshot or AMI is shared with when it is public.
const Public = "all"

// Shared is a snapshot or an AMI the account owns and shares: each account that may use it, and
// "all" when anyone may.
type Shared struct {
	Region  string    `json:"region"`
	Kind    string    `json:"kind"` // "snapshot" or "AMI"
	ID      string    `json:"id"`
	Name    string    `json:"name,omitempty"`
	Created time.Time `json:"created"`
	Shares  []string  `json:"shares"`
}

// Kinds of Shared.
const (
	KindSnapshot = "snapshot"
	KindImage    = "AMI"
)

// ExposureSurvey is every enabled region's inbound rules and shared snapshots and AMIs.
type ExposureSurvey struct {
	Rules  []IngressRule `json:"rules"`
	Shared []Shared      `json:"shared"`
	// Owned counts the snapshots and AMIs the account owns in the regions read.
	OwnedSnapshots int          `json:"owned_snapshots"`
	OwnedImages    int          `json:"owned_images"`
	Regions        []RegionRead `json:"regions"`
}

// SurveyExposure reads, in every enabled region at once, every inbound security group rule and
// every snapshot and AMI the account owns, with whom each is shared. A region any of whose reads
// fails is failed with AWS's error, never left out.
func (a *Account) SurveyExposure(ctx context.Context, opts RegionReadOptions) (*ExposureSurvey, error) {
	account, err := a.accountID(ctx)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	s := &ExposureSurvey{}
	regions, err := a.readRegions(ctx, opts, func(ctx context.Context, region string) error {
		api := a.EC2(region)
		rules, err := regionIngressRules(ctx, api, region)
		if err != nil {
			return err
		}
		snaps, owned, err := sharedSnapshots(ctx, api, region, account)
		if err != nil {
			return err
		}
		images, ownedImages, err := sharedImages(ctx, api, region, account)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		s.Rules = append(s.Rules, rules...)
		s.Shared = append(append(s.Shared, snaps...), images...)
		s.OwnedSnapshots += owned
		s.OwnedImages += ownedImages
		return nil
	})
	if regions == nil {
		return nil, err
	}
	s.Regions = regions
	sort.Slice(s.Rules, func(i, j int) bool {
		return s.Rules[i].Region+s.Rules[i].GroupID+s.Rules[i].RuleID < s.Rules[j].Region+s.Rules[j].GroupID+s.Rules[j].RuleID
	})
	sort.Slice(s.Shared, func(i, j int) bool {
		return s.Shared[i].Region+s.Shared[i].Kind+s.Shared[i].ID < s.Shared[j].Region+s.Shared[j].Kind+s.Shared[j].ID
	})
	return s, err
}

// SurveyExposure reads every region's exposure (see Account.SurveyExposure).
func (r *ReadOnly) SurveyExposure(ctx context.Context, opts RegionReadOptions) (*ExposureSurvey, error) {
	return r.a.SurveyExposure(ctx, opts)
}

// accountID is the confirmed account, or the one the credentials belong to.
func (a *Account) accountID(ctx context.Context) (string, error) {
	if id := a.confirmedIdentity(); id.Account != "" {
		return id.Account, nil
	}
	id, err := a.WhoAmI(ctx)
	return id.Account, err
}

// regionIngressRules pages through a region's rules, keeping the inbound ones, named by group.
func regionIngressRules(ctx context.Context, api ExposureReadAPI, region string) ([]IngressRule, error) {
	names := map[string]string{}
	groups := ec2.NewDescribeSecurityGroupsPaginator(api, &ec2.DescribeSecurityGroupsInput{MaxResults: sdk.Int32(1000)})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2 DescribeSecurityGroups in %s: %w", region, err)
		}
		for _, g := range page.SecurityGroups {
			names[sdk.ToString(g.GroupId)] = sdk.ToString(g.GroupName)
		}
	}
	var out []IngressRule
	rules := ec2.NewDescribeSecurityGroupRulesPaginator(api, &ec2.DescribeSecurityGroupRulesInput{MaxResults: sdk.Int32(1000)})
	for rules.HasMorePages() {
		page, err := rules.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2 DescribeSecurityGroupRules in %s: %w", region, err)
		}
		for _, r := range page.SecurityGroupRules {
			if sdk.ToBool(r.IsEgress) {
				continue
			}
			rule := ingressRule(region, r)
			rule.GroupName = names[rule.GroupID]
			out = append(out, rule)
		}
	}
	return out, nil
}
