package aws_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

// exposed plants, in two enabled regions, a world-open SSH rule (the attacker's), the team's HTTPS
// rule, a snapshot shared with an outside account and the team's backup account, and a public AMI;
// an analyzer watches us-east-1, and eu-west-1's rules cannot be read by the responder.
const exposed = `name: exposed
account: {id: "111122223333"}
incident_start: -3h
responder: {user: oncall, access_key_id: AKIAEXAMPLERESPONDER, secret_access_key: s}
regions:
  - {name: us-east-1, opt_in: opt-in-not-required}
  - {name: eu-west-1, opt_in: opt-in-not-required}
  - {name: ap-east-1, opt_in: not-opted-in}
iam:
  users:
    - {name: dev, created: -300d, access_keys: [{id: AKIAEXAMPLELEAKED001, created: -200d}]}
ec2:
  security_groups:
    - region: us-east-1
      id: sg-0aaaaaaaaaaaaaaa1
      name: web
      rules:
        - {id: sgr-0aaaaaaaaaaaaa443, port: 443, cidr: 0.0.0.0/0}
        - {id: sgr-0bbbbbbbbbbbbbbb1, port: 22, cidr: 0.0.0.0/0, at: -2h, by: AKIAEXAMPLELEAKED001}
  snapshots:
    - {region: us-east-1, id: snap-0ddddddddddddddd1, created: -1h, shares: [{with: "999988887777"}, {with: "111100002222"}]}
    - {region: us-east-1, id: snap-0ddddddddddddddd2, created: -10d}
  images:
    - {region: eu-west-1, id: ami-0eeeeeeeeeeeeeee1, name: golden, created: -30d, shares: [{with: all}]}
access_analyzer:
  analyzers: [{region: us-east-1, name: account-analyzer, created: -400d}]
  findings:
    - {region: us-east-1, resource: "arn:aws:s3:::acme-exports", resource_type: "AWS::S3::Bucket", principal: "999988887777", actions: ["s3:GetObject"]}
`

func exposedAccount(t *testing.T, live bool, rules ...wiretest.Rule) (*aws.Account, *wiretest.Proxy) {
	t.Helper()
	s := simtest.Start(t, exposed, time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	wire := wiretest.StartProxy(t, s.URL, rules...)
	s.URL = wire.URL
	mode := aws.DryRun
	if live {
		mode = aws.Drill
	}
	return s.Account(t, aws.Options{Mode: mode}), wire
}

func TestTheExposureSurveyReadsEveryRegionsRulesAndShares(t *testing.T) {
	t.Parallel()
	acct, _ := exposedAccount(t, false)
	s, err := acct.SurveyExposure(context.Background(), aws.RegionReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, r := range s.Rules {
		if r.WorldOpen() {
			open = append(open, r.Region+"/"+r.RuleID+" "+r.GroupName+" "+r.Ports())
		}
	}
	slices.Sort(open)
	if strings.Join(open, ", ") != "us-east-1/sgr-0aaaaaaaaaaaaa443 web tcp 443, us-east-1/sgr-0bbbbbbbbbbbbbbb1 web tcp 22" {
		t.Errorf("world-open rules: %v", open)
	}
	var shared []string
	for _, sh := range s.Shared {
		shared = append(shared, sh.Region+"/"+sh.Kind+"/"+sh.ID+" "+strings.Join(sh.Shares, ","))
	}
	if strings.Join(shared, "; ") != "eu-west-1/AMI/ami-0eeeeeeeeeeeeeee1 all; us-east-1/snapshot/snap-0ddddddddddddddd1 999988887777,111100002222" {
		t.Errorf("shared: %v", shared)
	}
	if s.OwnedSnapshots != 2 || s.OwnedImages != 1 || len(s.Regions) != 3 {
		t.Errorf("owned %d snapshots and %d AMIs in %d regions", s.OwnedSnapshots, s.OwnedImages, len(s.Regions))
	}
}

func TestARegionWhoseRulesCannotBeReadIsFailedNotLeftOut(t *testing.T) {
	t.Parallel()
	acct, _ := exposedAccount(t, false, wiretest.Rule{Region: "eu-west-1", Action: "DescribeSecurityGroupRules", Fault: wiretest.ServerError(403)})
	s, err := acct.SurveyExposure(context.Background(), aws.RegionReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	failed := aws.FailedRegions(s.Regions)
	if len(failed) != 1 || failed[0].Region != "eu-west-1" {
		t.Fatalf("failed regions %+v; want eu-west-1 alone", failed)
	}
}

func TestClosingExposureIsProvenByEC2InADryRunAndSendsNoChange(t *testing.T) {
	t.Parallel()
	acct, wire := exposedAccount(t, false)
	ch, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wire.Reset()
	for name, call := range map[string]func() (aws.Effect, error){
		"revoke": func() (aws.Effect, error) {
			return ch.RevokeIngressRule(ctx, "us-east-1", "sg-0aaaaaaaaaaaaaaa1", "sgr-0bbbbbbbbbbbbbbb1")
		},
		"snapshot": func() (aws.Effect, error) {
			return ch.UnshareSnapshot(ctx, "us-east-1", "snap-0ddddddddddddddd1", "999988887777")
		},
		"image": func() (aws.Effect, error) {
			return ch.UnshareImage(ctx, "eu-west-1", "ami-0eeeeeeeeeeeeeee1", aws.Public)
		},
	} {
		if eff, err := call(); err != nil || eff != aws.WouldChange {
			t.Errorf("%s in a dry run: %v %v, want would-change", name, eff, err)
		}
	}
	if eff, err := ch.UnshareSnapshot(ctx, "us-east-1", "snap-0ddddddddddddddd2", "999988887777"); err != nil || eff != aws.AlreadyDone {
		t.Errorf("a share that is not there: %v %v, want already done", eff, err)
	}
	var dry []string
	for _, r := range wire.Requests() {
		if r.Mutating && r.DryRun {
			dry = append(dry, r.Action)
		}
	}
	slices.Sort(dry)
	if len(wire.Changes()) != 0 || strings.Join(dry, ",") != "ModifyImageAttribute,ModifySnapshotAttribute,RevokeSecurityGroupIngress" {
		t.Errorf("on the wire: changes %+v, dry runs %v", wire.Changes(), dry)
	}
}

func TestClosingExposureLiveIsReadBackAndTheSecondTimeAlreadyDone(t *testing.T) {
	t.Parallel()
	acct, _ := exposedAccount(t, true)
	ch, err := acct.Changes()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, want := range []aws.Effect{aws.Changed, aws.AlreadyDone} {
		if eff, err := ch.RevokeIngressRule(ctx, "us-east-1", "sg-0aaaaaaaaaaaaaaa1", "sgr-0bbbbbbbbbbbbbbb1"); err != nil || eff != want {
			t.Errorf("revoke, run %d: %v %v, want %s", i+1, eff, err, want)
		}
		if eff, err := ch.UnshareSnapshot(ctx, "us-east-1", "snap-0ddddddddddddddd1", "999988887777"); err != nil || eff != want {
			t.Errorf("unshare the snapshot, run %d: %v %v, want %s", i+1, eff, err, want)
		}
		if eff, err := ch.UnshareImage(ctx, "eu-west-1", "ami-0eeeeeeeeeeeeeee1", aws.Public); err != nil || eff != want {
			t.Errorf("make the AMI private, run %d: %v %v, want %s", i+1, eff, err, want)
		}
	}
	if _, found, err := acct.FindIngressRule(ctx, "us-east-1", "sgr-0bbbbbbbbbbbbbbb1"); found || err != nil {
		t.Errorf("the revoked rule reads found=%v, %v", found, err)
	}
	if shares, exists, err := acct.SnapshotShares(ctx, "us-east-1", "snap-0ddddddddddddddd1"); !exists || err != nil || strings.Join(shares, ",") != "111100002222" {
		t.Errorf("the snapshot is shared with %v (exists %v, %v); want the backup account alone", shares, exists, err)
	}
	if shares, _, err := acct.ImageShares(ctx, "eu-west-1", "ami-0eeeeeeeeeeeeeee1"); len(shares) != 0 || err != nil {
		t.Errorf("the AMI is shared with %v, %v", shares, err)
	}
	if _, err := aws.Refused(aws.ErrDryRun).RevokeIngressRule(ctx, "us-east-1", "sg-0aaaaaaaaaaaaaaa1", "sgr-0aaaaaaaaaaaaa443"); err == nil {
		t.Error("refused changes revoked a rule")
	}
}

func TestAccessAnalyzerFindingsAreReadWhereAnAnalyzerIsAndRegionsWithoutOneSaySo(t *testing.T) {
	t.Parallel()
	acct, _ := exposedAccount(t, false)
	regions, err := acct.SurveyAnalyzers(context.Background(), aws.RegionReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byRegion := map[string]aws.AnalyzerRegion{}
	for _, r := range regions {
		byRegion[r.Region] = r
	}
	east, eu := byRegion["us-east-1"], byRegion["eu-west-1"]
	if east.Status != aws.RegionOK || len(east.Analyzers) != 1 || len(east.Findings) != 3 {
		t.Errorf("us-east-1: %+v; want one analyzer with three findings (two snapshot shares, a bucket)", east)
	}
	if eu.Status != aws.RegionOK || len(eu.Analyzers) != 0 || eu.NotAvailable != "" {
		t.Errorf("eu-west-1: %+v; want read, with no analyzer", eu)
	}
}

func TestAnEndpointWithoutAccessAnalyzerIsNotAvailableAndADenialIsAFailure(t *testing.T) {
	t.Parallel()
	acct, _ := exposedAccount(t, false, wiretest.Rule{Region: "eu-west-1", Service: "access-analyzer", Fault: wiretest.ServerError(501)},
		wiretest.Rule{Region: "us-east-1", Service: "access-analyzer", Fault: wiretest.ServerError(403)})
	regions, err := acct.SurveyAnalyzers(context.Background(), aws.RegionReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		switch r.Region {
		case "eu-west-1":
			if r.Status != aws.RegionOK || r.NotAvailable == "" {
				t.Errorf("eu-west-1 answering 501: %+v; want not available", r)
			}
		case "us-east-1":
			if r.Status != aws.RegionFailed {
				t.Errorf("us-east-1 answering 403: %+v; want failed", r)
			}
		}
	}
}
