package aws

import (
	"context"
	"fmt"
	"slices"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ExposureChanges close what lets the world or another account in. Each reads first, so a rule
// already revoked or a share already removed is AlreadyDone; live ones ask the guard right before
// their call, and dry-run ones are proven by EC2 itself with DryRun=true.
type ExposureChanges interface {
	// RevokeIngressRule revokes one inbound rule of a security group, by its id.
	RevokeIngressRule(ctx context.Context, region, groupID, ruleID string) (Effect, error)
	// UnshareSnapshot takes one account, or "all" (public), off a snapshot's createVolumePermission.
	UnshareSnapshot(ctx context.Context, region, snapshotID, who string) (Effect, error)
	// UnshareImage takes one account, or "all", off an AMI's launchPermission.
	UnshareImage(ctx context.Context, region, imageID, who string) (Effect, error)
}

// checkRevoke reads the rule: gone, or an outbound rule by now, is AlreadyDone.
func checkRevoke(ctx context.Context, a *Account, region, groupID, ruleID string) (Effect, error) {
	r, found, err := a.FindIngressRule(ctx, region, ruleID)
	switch {
	case err != nil:
		return "", err
	case !found:
		return AlreadyDone, nil
	case r.GroupID != groupID:
		return "", fmt.Errorf("the rule %s in %s now belongs to %s, not %s as planned: plan again", ruleID, region, r.GroupID, groupID)
	}
	return WouldChange, nil
}

// checkUnshare reads whom the snapshot or AMI is shared with: the grantee gone, or the resource
// gone, is AlreadyDone.
func checkUnshare(ctx context.Context, a *Account, kind, region, id, who string) (Effect, error) {
	read := a.SnapshotShares
	if kind == KindImage {
		read = a.ImageShares
	}
	shares, exists, err := read(ctx, region, id)
	switch {
	case err != nil:
		return "", err
	case !exists || !slices.Contains(shares, who):
		return AlreadyDone, nil
	}
	return WouldChange, nil
}

func revokeInput(groupID, ruleID string, dryRun bool) *ec2.RevokeSecurityGroupIngressInput {
	return &ec2.RevokeSecurityGroupIngressInput{GroupId: sdk.String(groupID), SecurityGroupRuleIds: []string{ruleID}, DryRun: sdk.Bool(dryRun)}
}

// The unshare calls use the OperationType form, which every endpoint honours (some emulators
// ignore the CreateVolumePermission.Remove form).
func unshareSnapshotInput(id, who string, dryRun bool) *ec2.ModifySnapshotAttributeInput {
	in := &ec2.ModifySnapshotAttributeInput{SnapshotId: sdk.String(id), Attribute: types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: types.OperationTypeRemove, DryRun: sdk.Bool(dryRun)}
	if who == Public {
		in.GroupNames = []string{Public}
	} else {
		in.UserIds = []string{who}
	}
	return in
}

func unshareImageInput(id, who string, dryRun bool) *ec2.ModifyImageAttributeInput {
	in := &ec2.ModifyImageAttributeInput{ImageId: sdk.String(id), Attribute: sdk.String("launchPermission"),
		OperationType: types.OperationTypeRemove, DryRun: sdk.Bool(dryRun)}
	if who == Public {
		in.UserGroups = []string{Public}
	} else {
		in.UserIds = []string{who}
	}
	return in
}

func (c *liveChanges) RevokeIngressRule(ctx context.Context, region, groupID, ruleID string) (Effect, error) {
	if eff, err := checkRevoke(ctx, c.a, region, groupID, ruleID); eff != WouldChange {
		return eff, err
	}
	err := c.live(region).revokeRule(ctx, groupID, ruleID)
	switch ErrorCode(err) {
	case "":
		return Changed, nil
	case "InvalidSecurityGroupRuleId.NotFound", "InvalidPermission.NotFound":
		// Gone between the read and the call (revoked by someone else): read it to be sure.
		if eff, rerr := checkRevoke(ctx, c.a, region, groupID, ruleID); eff == AlreadyDone {
			return eff, rerr
		}
	}
	return "", fmt.Errorf("ec2 RevokeSecurityGroupIngress %s of %s in %s: %w", ruleID, groupID, region, err)
}

func (c *liveChanges) UnshareSnapshot(ctx context.Context, region, id, who string) (Effect, error) {
	if eff, err := checkUnshare(ctx, c.a, KindSnapshot, region, id, who); eff != WouldChange {
		return eff, err
	}
	if err := c.live(region).unshareSnapshot(ctx, id, who); err != nil {
		return "", fmt.Errorf("ec2 ModifySnapshotAttribute %s in %s (remove %s): %w", id, region, who, err)
	}
	return Changed, nil
}

func (c *liveChanges) UnshareImage(ctx context.Context, region, id, who string) (Effect, error) {
	if eff, err := checkUnshare(ctx, c.a, KindImage, region, id, who); eff != WouldChange {
		return eff, err
	}
	if err := c.live(region).unshareImage(ctx, id, who); err != nil {
		return "", fmt.Errorf("ec2 ModifyImageAttribute %s in %s (remove %s): %w", id, region, who, err)
	}
	return Changed, nil
}

func (c *liveChanges) live(region string) liveEC2 {
	return liveEC2{c: c.a.ec2Client(region), g: c.a.guard}
}

func (l liveEC2) revokeRule(ctx context.Context, groupID, ruleID string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.RevokeSecurityGroupIngress(ctx, revokeInput(groupID, ruleID, false))
	return err
}

func (l liveEC2) unshareSnapshot(ctx context.Context, id, who string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.ModifySnapshotAttribute(ctx, unshareSnapshotInput(id, who, false))
	return err
}

func (l liveEC2) unshareImage(ctx context.Context, id, who string) error {
	if err := l.g.AllowChange(); err != nil {
		return err
	}
	_, err := l.c.ModifyImageAttribute(ctx, unshareImageInput(id, who, false))
	return err
}

func (d *dryRunChanges) RevokeIngressRule(ctx context.Context, region, groupID, ruleID string) (Effect, error) {
	if eff, err := checkRevoke(ctx, d.a, region, groupID, ruleID); eff != WouldChange {
		return eff, err
	}
	err := dryRunProver{c: d.a.ec2Client(region)}.revokeRule(ctx, groupID, ruleID)
	return provenByEC2(err, "ec2 RevokeSecurityGroupIngress "+ruleID+" of "+groupID+" in "+region)
}

func (d *dryRunChanges) UnshareSnapshot(ctx context.Context, region, id, who string) (Effect, error) {
	if eff, err := checkUnshare(ctx, d.a, KindSnapshot, region, id, who); eff != WouldChange {
		return eff, err
	}
	err := dryRunProver{c: d.a.ec2Client(region)}.unshareSnapshot(ctx, id, who)
	return provenByEC2(err, "ec2 ModifySnapshotAttribute "+id+" in "+region+" (remove "+who+")")
}

func (d *dryRunChanges) UnshareImage(ctx context.Context, region, id, who string) (Effect, error) {
	if eff, err := checkUnshare(ctx, d.a, KindImage, region, id, who); eff != WouldChange {
		return eff, err
	}
	err := dryRunProver{c: d.a.ec2Client(region)}.unshareImage(ctx, id, who)
	return provenByEC2(err, "ec2 ModifyImageAttribute "+id+" in "+region+" (remove "+who+")")
}

func (p dryRunProver) revokeRule(ctx context.Context, groupID, ruleID string) error {
	_, err := p.c.RevokeSecurityGroupIngress(ctx, revokeInput(groupID, ruleID, true))
	return err
}

func (p dryRunProver) unshareSnapshot(ctx context.Context, id, who string) error {
	_, err := p.c.ModifySnapshotAttribute(ctx, unshareSnapshotInput(id, who, true))
	return err
}

func (p dryRunProver) unshareImage(ctx context.Context, id, who string) error {
	_, err := p.c.ModifyImageAttribute(ctx, unshareImageInput(id, who, true))
	return err
}

func (r refusal) RevokeIngressRule(context.Context, string, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) UnshareSnapshot(context.Context, string, string, string) (Effect, error) {
	return "", r.err
}
func (r refusal) UnshareImage(context.Context, string, string, string) (Effect, error) {
	return "", r.err
}
