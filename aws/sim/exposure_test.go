package sim_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
)

// exposedAccount plants a rule open to SSH from anywhere (by the leaked key), the team's old
// HTTPS rule, a snapshot shared with an outside account and the team's backup account, and a
// public AMI; the attacker opens RDP later and shares a snapshot on its timeline.
const exposedAccount = `name: exposed
account: {id: "111122223333"}
incident_start: -3h
responder: {user: oncall, access_key_id: AKIAEXAMPLERESPONDER, secret_access_key: s}
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: eu-west-1, opt_in: opt-in-not-required}
  - {name: ap-east-1, opt_in: not-opted-in}
iam:
  users:
    - name: dev
      created: -300d
      access_keys: [{id: AKIAEXAMPLELEAKED001, created: -200d}]
ec2:
  security_groups:
    - region: us-east-1
      id: sg-0aaaaaaaaaaaaaaa1
      name: web
      rules:
        - {port: 443, cidr: 0.0.0.0/0, description: the shop}
        - {id: sgr-0bbbbbbbbbbbbbbb1, port: 22, cidr: 0.0.0.0/0, at: -2h, by: AKIAEXAMPLELEAKED001}
    - region: us-east-1
      id: sg-0aaaaaaaaaaaaaaa2
      name: private
      vpc_id: vpc-0ccccccccccccccc1
  snapshots:
    - region: us-east-1
      id: snap-0ddddddddddddddd1
      created: -1h
      shares: [{with: "999988887777", at: -50m, by: AKIAEXAMPLELEAKED001}, {with: "111100002222"}]
  images:
    - {region: eu-west-1, id: ami-0eeeeeeeeeeeeeee1, name: golden, created: -30d, shares: [{with: all}]}
access_analyzer:
  analyzers:
    - {region: us-east-1, name: account-analyzer, created: -400d}
  findings:
    - {region: us-east-1, resource: "arn:aws:s3:::acme-exports", resource_type: "AWS::S3::Bucket", principal: "999988887777", actions: ["s3:GetObject"]}
attacker:
  access_key_id: AKIAEXAMPLELEAKED001
  events:
    - at: +5m
      service: ec2
      region: eu-west-1
      action: AuthorizeSecurityGroupIngress
      params: {GroupName: default, IpPermissions.1.IpProtocol: tcp, IpPermissions.1.FromPort: 3389, IpPermissions.1.ToPort: 3389, IpPermissions.1.IpRanges.1.CidrIp: 0.0.0.0/0}
    - at: +6m
      service: ec2
      action: ModifySnapshotAttribute
      params: {SnapshotId: snap-0ddddddddddddddd1, Attribute: createVolumePermission, OperationType: add, UserGroup.1: all}
`

func exposedSim(t *testing.T) (func(region string) *ec2.Client, string) {
	t.Helper()
	srv, url := startScenario(t, exposedAccount)
	return func(region string) *ec2.Client { return ec2Client(t, srv, url, region) }, url
}

func rulesOf(t *testing.T, c *ec2.Client, group string) map[string]ec2types.SecurityGroupRule {
	t.Helper()
	out := map[string]ec2types.SecurityGroupRule{}
	p := ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{MaxResults: sdk.Int32(5),
		Filters: []ec2types.Filter{{Name: sdk.String("group-id"), Values: []string{group}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.SecurityGroupRules {
			out[sdk.ToString(r.SecurityGroupRuleId)] = r
		}
	}
	return out
}

func TestCryptoMinersSSHRuleIsInTheAccountWithTheIdCloudTrailNames(t *testing.T) {
	t.Parallel()
	srv, _, url := startSim(t, "crypto-miner")
	c := ec2Client(t, srv, url, "us-west-2")
	rule, ok := rulesOf(t, c, "sg-0c1d2e3f4a5b6c7d8")["sgr-0a9b8c7d6e5f40312"]
	if !ok || sdk.ToBool(rule.IsEgress) || sdk.ToInt32(rule.FromPort) != 22 || sdk.ToString(rule.CidrIpv4) != "0.0.0.0/0" {
		t.Fatalf("the attacker's SSH rule in us-west-2 reads %+v (found %v)", rule, ok)
	}
	groups, err := ec2Client(t, srv, url, "sa-east-1").DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{})
	if err != nil || len(groups.SecurityGroups) != 1 || sdk.ToString(groups.SecurityGroups[0].GroupName) != "default" {
		t.Fatalf("sa-east-1's groups: %+v, %v; want its default group", groups, err)
	}
}

func TestSecurityGroupRulesAreAddedAndRevokedAsEC2Does(t *testing.T) {
	t.Parallel()
	client, url := exposedSim(t)
	c := client("us-east-1")
	ctx := context.Background()
	ssh := []ec2types.IpPermission{{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(22), ToPort: sdk.Int32(22),
		IpRanges: []ec2types.IpRange{{CidrIp: sdk.String("0.0.0.0/0")}}}}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa1"), IpPermissions: ssh}); apiCode(err) != "InvalidPermission.Duplicate" {
		t.Errorf("adding the SSH rule again: %v, want InvalidPermission.Duplicate", err)
	}
	db := []ec2types.IpPermission{{IpProtocol: sdk.String("tcp"), FromPort: sdk.Int32(5432), ToPort: sdk.Int32(5432),
		Ipv6Ranges: []ec2types.Ipv6Range{{CidrIpv6: sdk.String("::/0")}}}}
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa1"), IpPermissions: db, DryRun: sdk.Bool(true)}); apiCode(err) != "DryRunOperation" {
		t.Errorf("a dry run: %v, want DryRunOperation", err)
	}
	if n := len(rulesOf(t, c, "sg-0aaaaaaaaaaaaaaa1")); n != 3 {
		t.Fatalf("%d rules after a dry run; want 3 (two inbound, the default outbound)", n)
	}
	out, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa1"), IpPermissions: db})
	if err != nil || len(out.SecurityGroupRules) != 1 || !strings.HasPrefix(sdk.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId), "sgr-") {
		t.Fatalf("authorize: %+v, %v; want the new rule's id", out, err)
	}
	added := sdk.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId)
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{SecurityGroupRuleIds: []string{added}}); apiCode(err) != "MissingParameter" {
		t.Errorf("revoke without the group: %v, want MissingParameter", err)
	}
	revoke := &ec2.RevokeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa1"), SecurityGroupRuleIds: []string{added, "sgr-0bbbbbbbbbbbbbbb1"}}
	if rv, err := c.RevokeSecurityGroupIngress(ctx, revoke); err != nil || len(rv.RevokedSecurityGroupRules) != 2 {
		t.Fatalf("revoke by ids: %+v, %v", rv, err)
	}
	if _, err := c.RevokeSecurityGroupIngress(ctx, revoke); apiCode(err) != "InvalidSecurityGroupRuleId.NotFound" {
		t.Errorf("revoking them again: %v, want InvalidSecurityGroupRuleId.NotFound", err)
	}
	rv, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa1"), IpPermissions: ssh})
	if err != nil || sdk.ToBool(rv.Return) || len(rv.UnknownIpPermissions) != 1 {
		t.Errorf("revoking an unknown rule in the default VPC: %+v, %v; want return false naming it", rv, err)
	}
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sdk.String("sg-0aaaaaaaaaaaaaaa2"), IpPermissions: ssh}); apiCode(err) != "InvalidPermission.NotFound" {
		t.Errorf("revoking an unknown rule in another VPC: %v, want InvalidPermission.NotFound", err)
	}
	events := lookupAll(t, cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", "AKIAEXAMPLERESPONDER", "s")), cttypes.LookupAttributeKeyEventName, "AuthorizeSecurityGroupIngress")
	var ids []string
	for _, e := range events {
		var rec struct {
			ResponseElements struct {
				Set struct {
					Items []struct {
						ID string `json:"securityGroupRuleId"`
					} `json:"items"`
				} `json:"securityGroupRuleSet"`
			} `json:"responseElements"`
		}
		_ = json.Unmarshal([]byte(sdk.ToString(e.CloudTrailEvent)), &rec)
		for _, it := range rec.ResponseElements.Set.Items {
			ids = append(ids, it.ID)
		}
	}
	if strings.Join(ids, ",") != added+",sgr-0bbbbbbbbbbbbbbb1" {
		t.Errorf("CloudTrail's AuthorizeSecurityGroupIngress records name rules %v; want the served one, then the planted one", ids)
	}
}

func TestSnapshotSharesChangeInEitherFormAndPublicEncryptedSnapshotsAreRefused(t *testing.T) {
	t.Parallel()
	client, _ := exposedSim(t)
	c := client("us-east-1")
	ctx := context.Background()
	shares := func() string {
		t.Helper()
		out, err := c.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: sdk.String("snap-0ddddddddddddddd1"),
			Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission})
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, p := range out.CreateVolumePermissions {
			who = append(who, sdk.ToString(p.UserId)+string(p.Group))
		}
		return strings.Join(who, ",")
	}
	if got := shares(); got != "999988887777,111100002222" {
		t.Fatalf("planted shares %q", got)
	}
	remove := &ec2.ModifySnapshotAttributeInput{SnapshotId: sdk.String("snap-0ddddddddddddddd1"),
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Remove: []ec2types.CreateVolumePermission{{UserId: sdk.String("999988887777")}}}}
	remove.DryRun = sdk.Bool(true)
	if _, err := c.ModifySnapshotAttribute(ctx, remove); apiCode(err) != "DryRunOperation" || shares() != "999988887777,111100002222" {
		t.Fatalf("a dry run answered %v and left %q", err, shares())
	}
	remove.DryRun = nil
	if _, err := c.ModifySnapshotAttribute(ctx, remove); err != nil || shares() != "111100002222" {
		t.Fatalf("removing the outside account: %v, left %q", err, shares())
	}
	public := &ec2.ModifySnapshotAttributeInput{SnapshotId: sdk.String("snap-0ddddddddddddddd1"), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: ec2types.OperationTypeAdd, GroupNames: []string{"all"}}
	if _, err := c.ModifySnapshotAttribute(ctx, public); err != nil || shares() != "111100002222,all" {
		t.Fatalf("making it public with OperationType: %v, left %q", err, shares())
	}
	public.CreateVolumePermission = remove.CreateVolumePermission
	if _, err := c.ModifySnapshotAttribute(ctx, public); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("both forms at once: %v, want InvalidParameterCombination", err)
	}
	if _, err := c.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{SnapshotId: sdk.String("snap-0ffffffffffffffff"),
		OperationType: ec2types.OperationTypeRemove, UserIds: []string{"999988887777"}}); apiCode(err) != "InvalidSnapshot.NotFound" {
		t.Errorf("an unknown snapshot: %v, want InvalidSnapshot.NotFound", err)
	}
	owned, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, MaxResults: sdk.Int32(5)})
	if err != nil || len(owned.Snapshots) != 1 || sdk.ToString(owned.Snapshots[0].OwnerId) != "111122223333" {
		t.Errorf("the account's own snapshots: %+v, %v", owned, err)
	}
	if _, err := sim.ParseScenario("f.yaml", []byte(strings.Replace(exposedAccount, "{with: \"111100002222\"}]", "{with: all}]\n      encrypted: true", 1))); err == nil ||
		!strings.Contains(err.Error(), "cannot be public") {
		t.Errorf("a public encrypted snapshot in a scenario: %v", err)
	}
}

func TestAnAMIsLaunchPermissionIsSharedAndUnsharedLikeEC2s(t *testing.T) {
	t.Parallel()
	client, _ := exposedSim(t)
	c := client("eu-west-1")
	ctx := context.Background()
	imgs, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(imgs.Images) != 1 || !sdk.ToBool(imgs.Images[0].Public) {
		t.Fatalf("the account's AMIs: %+v, %v; want the public golden image", imgs, err)
	}
	if _, err := c.ModifyImageAttribute(ctx, &ec2.ModifyImageAttributeInput{ImageId: sdk.String("ami-0eeeeeeeeeeeeeee1"),
		Attribute: sdk.String("launchPermission"), OperationType: ec2types.OperationTypeRemove, UserGroups: []string{"all"}}); err != nil {
		t.Fatal(err)
	}
	attr, err := c.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: sdk.String("ami-0eeeeeeeeeeeeeee1"), Attribute: ec2types.ImageAttributeNameLaunchPermission})
	if err != nil || len(attr.LaunchPermissions) != 0 {
		t.Fatalf("launch permissions after making it private: %+v, %v", attr, err)
	}
	if _, err := c.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: sdk.String("ami-0ffffffffffffffff"), Attribute: ec2types.ImageAttributeNameLaunchPermission}); apiCode(err) != "InvalidAMIID.NotFound" {
		t.Errorf("an unknown AMI: %v, want InvalidAMIID.NotFound", err)
	}
}

func TestTheAttackerOpensRDPAndSharesASnapshotOnItsTimeline(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, exposedAccount, testStart)
	srv, url := s.Server, s.URL
	s.Clock.Advance(10 * time.Minute)
	for _, rec := range srv.AttackLog() {
		if !rec.Succeeded() {
			t.Errorf("the attacker's %s failed: %s %s", rec.Action, rec.Code, rec.Message)
		}
	}
	eu := ec2Client(t, srv, url, "eu-west-1")
	groups, err := eu.DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	rdp := false
	for _, r := range rulesOf(t, eu, sdk.ToString(groups.SecurityGroups[0].GroupId)) {
		rdp = rdp || (sdk.ToInt32(r.FromPort) == 3389 && sdk.ToString(r.CidrIpv4) == "0.0.0.0/0")
	}
	if !rdp {
		t.Error("the attacker's RDP rule is not in eu-west-1's default group")
	}
	pub, err := ec2Client(t, srv, url, "us-east-1").DescribeSnapshots(context.Background(), &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, RestorableByUserIds: []string{"all"}})
	if err != nil || len(pub.Snapshots) != 1 {
		t.Errorf("public snapshots after the attacker's share: %+v, %v", pub, err)
	}
}
