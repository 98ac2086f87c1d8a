package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// attributeWorkers bounds the attribute reads of one region at once: an account may own
// thousands of snapshots, each read on its own.
const attributeWorkers = 4

func ingressRule(region string, r types.SecurityGroupRule) IngressRule {
	out := IngressRule{Region: region, GroupID: sdk.ToString(r.GroupId), RuleID: sdk.ToString(r.SecurityGroupRuleId),
		Protocol: sdk.ToString(r.IpProtocol), FromPort: sdk.ToInt32(r.FromPort), ToPort: sdk.ToInt32(r.ToPort),
		CIDR: sdk.ToString(r.CidrIpv4) + sdk.ToString(r.CidrIpv6), PrefixList: sdk.ToString(r.PrefixListId), Description: sdk.ToString(r.Description)}
	if r.ReferencedGroupInfo != nil {
		out.SourceGroup = sdk.ToString(r.ReferencedGroupInfo.GroupId)
	}
	return out
}

// sharedSnapshots reads the region's snapshots the account owns (an endpoint that answers
// Owner=self with others' snapshots too is filtered by owner) and keeps those shared with anyone.
func sharedSnapshots(ctx context.Context, api ExposureReadAPI, region, account string) ([]Shared, int, error) {
	var owned []types.Snapshot
	// The owner-id filter says again what Owner=self says: an endpoint that ignores Owner (one
	// emulator answers with every public snapshot it knows) is asked narrowly all the same.
	p := ec2.NewDescribeSnapshotsPaginator(api, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, MaxResults: sdk.Int32(1000),
		Filters: []types.Filter{{Name: sdk.String("owner-id"), Values: []string{account}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("ec2 DescribeSnapshots in %s: %w", region, err)
		}
		for _, s := range page.Snapshots {
			if sdk.ToString(s.OwnerId) == account {
				owned = append(owned, s)
			}
		}
	}
	shares := make([][]string, len(owned))
	err := bounded(ctx, len(owned), func(i int) error {
		var err error
		shares[i], _, err = snapshotShares(ctx, api, region, sdk.ToString(owned[i].SnapshotId))
		return err
	})
	var out []Shared
	for i, s := range owned {
		if len(shares[i]) > 0 {
			out = append(out, Shared{Region: region, Kind: KindSnapshot, ID: sdk.ToString(s.SnapshotId), Name: sdk.ToString(s.Description),
				Created: sdk.ToTime(s.StartTime).UTC(), Shares: shares[i]})
		}
	}
	return out, len(owned), err
}

// sharedImages reads the region's AMIs the account owns and keeps those shared with anyone.
func sharedImages(ctx context.Context, api ExposureReadAPI, region, account string) ([]Shared, int, error) {
	var owned []types.Image
	p := ec2.NewDescribeImagesPaginator(api, &ec2.DescribeImagesInput{Owners: []string{"self"}, MaxResults: sdk.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("ec2 DescribeImages in %s: %w", region, err)
		}
		for _, img := range page.Images {
			if sdk.ToString(img.OwnerId) == account {
				owned = append(owned, img)
			}
		}
	}
	shares := make([][]string, len(owned))
	err := bounded(ctx, len(owned), func(i int) error {
		var err error
		shares[i], _, err = imageShares(ctx, api, region, sdk.ToString(owned[i].ImageId))
		if sdk.ToBool(owned[i].Public) && !slices.Contains(shares[i], Public) {
			shares[i] = append(shares[i], Public)
		}
		return err
	})
	var out []Shared
	for i, img := range owned {
		if len(shares[i]) > 0 {
			out = append(out, Shared{Region: region, Kind: KindImage, ID: sdk.ToString(img.ImageId), Name: sdk.ToString(img.Name),
				Created: parseCreation(sdk.ToString(img.CreationDate)), Shares: shares[i]})
		}
	}
	return out, len(owned), err
}

// bounded runs fn for 0..n-1, attributeWorkers at once, and returns the first error.
func bounded(ctx context.Context, n int, fn func(i int) error) error {
	slots := make(chan struct{}, attributeWorkers)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-slots }()
			errs[i] = fn(i)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// snapshotShares reads who may create volumes from a snapshot; exists is false when EC2 no longer
// knows it.
func snapshotShares(ctx context.Context, api ExposureReadAPI, region, id string) (shares []string, exists bool, err error) {
	out, err := api.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: sdk.String(id),
		Attribute: types.SnapshotAttributeNameCreateVolumePermission})
	if ErrorCode(err) == "InvalidSnapshot.NotFound" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ec2 DescribeSnapshotAttribute %s in %s: %w", id, region, err)
	}
	for _, p := range out.CreateVolumePermissions {
		shares = grantee(shares, sdk.ToString(p.UserId), string(p.Group))
	}
	return shares, true, nil
}

// imageShares reads who may launch an AMI; exists is false when EC2 no longer knows it.
func imageShares(ctx context.Context, api ExposureReadAPI, region, id string) (shares []string, exists bool, err error) {
	out, err := api.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: sdk.String(id),
		Attribute: types.ImageAttributeNameLaunchPermission})
	if ErrorCode(err) == "InvalidAMIID.NotFound" || ErrorCode(err) == "InvalidAMIID.Unavailable" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ec2 DescribeImageAttribute %s in %s: %w", id, region, err)
	}
	for _, p := range out.LaunchPermissions {
		shares = grantee(shares, sdk.ToString(p.UserId), string(p.Group))
		if arn := sdk.ToString(p.OrganizationArn) + sdk.ToString(p.OrganizationalUnitArn); arn != "" {
			shares = grantee(shares, arn, "")
		}
	}
	return shares, true, nil
}

func grantee(shares []string, user, group string) []string {
	who := user
	if group != "" {
		who = group
	}
	if who == "" || slices.Contains(shares, who) {
		return shares
	}
	return append(shares, who)
}

// SnapshotShares reads who may use a snapshot now: the read-back of unsharing it, and the ledger's
// re-check of a share the attacker made.
func (a *Account) SnapshotShares(ctx context.Context, region, id string) ([]string, bool, error) {
	return snapshotShares(ctx, a.EC2(region), region, id)
}

// ImageShares reads who may launch an AMI now.
func (a *Account) ImageShares(ctx context.Context, region, id string) ([]string, bool, error) {
	return imageShares(ctx, a.EC2(region), region, id)
}

// SnapshotShares reads who may use a snapshot (see Account.SnapshotShares).
func (r *ReadOnly) SnapshotShares(ctx context.Context, region, id string) ([]string, bool, error) {
	return r.a.SnapshotShares(ctx, region, id)
}

// ImageShares reads who may launch an AMI (see Account.ImageShares).
func (r *ReadOnly) ImageShares(ctx context.Context, region, id string) ([]string, bool, error) {
	return r.a.ImageShares(ctx, region, id)
}

// FindIngressRule reads one inbound rule by id; found is false when EC2 no longer has it.
func (a *Account) FindIngressRule(ctx context.Context, region, ruleID string) (IngressRule, bool, error) {
	out, err := a.EC2(region).DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{ruleID}})
	switch {
	case ErrorCode(err) == "InvalidSecurityGroupRuleId.NotFound":
		return IngressRule{}, false, nil
	case err != nil:
		return IngressRule{}, false, fmt.Errorf("ec2 DescribeSecurityGroupRules %s in %s: %w", ruleID, region, err)
	}
	for _, r := range out.SecurityGroupRules {
		if sdk.ToString(r.SecurityGroupRuleId) == ruleID && !sdk.ToBool(r.IsEgress) {
			return ingressRule(region, r), true, nil
		}
	}
	return IngressRule{}, false, nil
}

// FindIngressRule reads one inbound rule (see Account.FindIngressRule).
func (r *ReadOnly) FindIngressRule(ctx context.Context, region, ruleID string) (IngressRule, bool, error) {
	return r.a.FindIngressRule(ctx, region, ruleID)
}

// GroupIngressRules reads a group's inbound rules (none when the group is gone).
func (a *Account) GroupIngressRules(ctx context.Context, region, groupID string) ([]IngressRule, error) {
	var out []IngressRule
	p := ec2.NewDescribeSecurityGroupRulesPaginator(a.EC2(region), &ec2.DescribeSecurityGroupRulesInput{MaxResults: sdk.Int32(1000),
		Filters: []types.Filter{{Name: sdk.String("group-id"), Values: []string{groupID}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ec2 DescribeSecurityGroupRules of %s in %s: %w", groupID, region, err)
		}
		for _, r := range page.SecurityGroupRules {
			if !sdk.ToBool(r.IsEgress) {
				out = append(out, ingressRule(region, r))
			}
		}
	}
	return out, nil
}

// GroupIngressRules reads a group's inbound rules (see Account.GroupIngressRules).
func (r *ReadOnly) GroupIngressRules(ctx context.Context, region, groupID string) ([]IngressRule, error) {
	return r.a.GroupIngressRules(ctx, region, groupID)
}

// parseCreation reads an AMI's creationDate; one that does not parse is the zero time ("unknown").
func parseCreation(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
