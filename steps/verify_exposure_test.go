package steps

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"lockdown/aws/wiretest"
)

// exactCheck returns the check of that name and item.
func exactCheck(v *Verification, check, item string) (VerifyCheck, bool) {
	for _, c := range v.Checks {
		if c.Check == check && c.Item == item {
			return c, true
		}
	}
	return VerifyCheck{}, false
}

func TestTheExposureChecksFailOnTheAccountsStateWithoutAnyCloudTrail(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, DryRun, false)
	v := verifyWith(t, d.env)
	for _, want := range []struct{ check, item, says string }{
		{checkInbound, "us-east-1/sgr-0a77ac4e2000000a1", "administrative: SSH (22)"},
		{checkInbound, "us-east-1/sgr-0a77ac4e2000000a2", "database: PostgreSQL (5432)"},
		{checkInbound, "us-east-1/sgr-0ee05b0b000000443", "tcp 443 in from 0.0.0.0/0, open to the world"},
		{checkSnapshots, "us-east-1/snap-0da7a0b5e0000db02/999988887777", "shared with the account 999988887777"},
		{checkSnapshots, "us-east-1/snap-0da7a0b5e0000db03/all", "public"},
		{checkImages, "us-east-1/ami-0da7a0b5e00001d01/999988887777", "shared with the account 999988887777"},
		{checkAnalyzer, "us-east-1/", "arn:aws:s3:::acme-data-exports can be used by AWS 999988887777"},
	} {
		found := false
		for _, c := range v.Checks {
			if c.Check == want.check && strings.HasPrefix(c.Item, want.item) && strings.Contains(c.Evidence, want.says) {
				found = true
				if c.Result != VerifyFail {
					t.Errorf("%s %s is %s, want fail", c.Check, c.Item, c.Result)
				}
			}
		}
		if !found {
			t.Errorf("no failing %s %s saying %q", want.check, want.item, want.says)
		}
	}
	for _, check := range []string{checkInbound, checkSnapshots, checkImages} {
		if c, ok := exactCheck(v, check, "all regions"); ok {
			t.Errorf("%s passes for all regions with items left: %+v", check, c)
		}
	}
	absent, ok := exactCheck(v, checkAnalyzer, "regions without an analyzer")
	if !ok || absent.Result != VerifyNotAvailable || !strings.Contains(absent.Evidence, "eu-west-1") || strings.Contains(absent.Evidence, "us-east-1") {
		t.Errorf("the regions without an analyzer read %+v; want not available, naming them", absent)
	}
	if v.Contained {
		t.Error("contained with the doors open")
	}
}

func TestWhatTheOperatorKeepsPassesWithItsReasonAndThePassStillCountsIt(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, DryRun, true)
	// The reasons are recorded by the step's row id (plan --keep close-exposure:ID) or by the
	// verification's item: one decision either way.
	d.env.Kept = func() map[string]string {
		return map[string]string{shopHTTPS: "the shop is public", "eu-west-1/sgr-0ee05b0b000000444": "the shop is public",
			attackerSSH: "x", attackerPG: "x", attackerEU: "x"}
	}
	v := verifyWith(t, d.env)
	https, _ := exactCheck(v, checkInbound, "us-east-1/sgr-0ee05b0b000000443")
	if https.Result != VerifyPass || https.Kept != "the shop is public" {
		t.Errorf("the kept HTTPS rule reads %+v", https)
	}
	all, ok := exactCheck(v, checkInbound, "all regions")
	if !ok || !strings.Contains(all.Evidence, "but the 5 the operator keeps") {
		t.Errorf("the inbound pass reads %+v; it must not say nothing is open while kept rules are", all)
	}
}

func TestAnAnalyzerThatCannotBeReadIsUnknownForItsRegion(t *testing.T) {
	t.Parallel()
	d, _ := lingering(t, DryRun, false, wiretest.Rule{Service: "access-analyzer", Region: "us-east-1", Fault: wiretest.ServerError(403)},
		wiretest.Rule{Service: "ec2", Region: "eu-west-1", Action: "DescribeSnapshots", Fault: wiretest.ServerError(403)})
	v := verifyWith(t, d.env)
	if c, _ := exactCheck(v, checkAnalyzer, "us-east-1"); c.Result != VerifyUnknown {
		t.Errorf("us-east-1's analyzer, denied, reads %+v; want unknown", c)
	}
	for _, check := range []string{checkInbound, checkSnapshots, checkImages} {
		if c, _ := exactCheck(v, check, "eu-west-1"); c.Result != VerifyUnknown {
			t.Errorf("%s in eu-west-1, whose snapshots cannot be read, reads %+v; want unknown", check, c)
		}
	}
}

func TestTheLedgerRechecksTheAttackersRuleAndShareAgainstTheAccount(t *testing.T) {
	t.Parallel()
	d, s := lingering(t, Drill, true)
	var rule, share AttackerChange
	for _, c := range attackerChanges(d.env.Trace.Footprint) {
		switch {
		case c.Resource.ID == "sgr-0a77ac4e2000000a1":
			rule = c
		case c.Event == "ModifySnapshotAttribute" && c.Resource.ID == "snap-0da7a0b5e0000db02":
			share = c
		}
	}
	if rule.HandledBy != byExposure || share.HandledBy != byExposure {
		t.Fatalf("the trace hands the rule to %q and the share to %q, want %q", rule.HandledBy, share.HandledBy, byExposure)
	}
	recheck := func(c AttackerChange) (VerifyResult, string) {
		ev, _ := traceEvent(d.env.Trace.Footprint, c.EventID)
		return ledgerCheckFor(c.Event)(context.Background(), d.env, c, ev)
	}
	if got, why := recheck(rule); got != VerifyFail || !strings.Contains(why, "sgr-0a77ac4e2000000a1") {
		t.Errorf("the standing rule rechecks %s: %s", got, why)
	}
	if got, why := recheck(share); got != VerifyFail || !strings.Contains(why, "999988887777") {
		t.Errorf("the standing share rechecks %s: %s", got, why)
	}
	// Undone by hand, with the AWS CLI's calls.
	id, secret := s.Server.ResponderCredentials()
	cli := ec2.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(s.URL), Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	ctx := context.Background()
	if _, err := cli.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sdk.String("sg-0da7a0b5e0c0ffee1"), SecurityGroupRuleIds: []string{"sgr-0a77ac4e2000000a1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{SnapshotId: sdk.String("snap-0da7a0b5e0000db02"),
		CreateVolumePermission: &ec2types.CreateVolumePermissionModifications{Remove: []ec2types.CreateVolumePermission{{UserId: sdk.String("999988887777")}}}}); err != nil {
		t.Fatal(err)
	}
	if got, why := recheck(rule); got != VerifyPass || !strings.Contains(why, "no longer has sgr-0a77ac4e2000000a1") {
		t.Errorf("the revoked rule rechecks %s: %s", got, why)
	}
	if got, why := recheck(share); got != VerifyPass || !strings.Contains(why, "no longer shared with 999988887777") {
		t.Errorf("the removed share rechecks %s: %s", got, why)
	}
	v := verifyWith(t, d.env)
	if c, _ := exactCheck(v, checkInbound, "us-east-1/sgr-0a77ac4e2000000a1"); c.Result != VerifyPass || !strings.Contains(c.Evidence, "revoked") {
		t.Errorf("the verification's item for the rule revoked by hand reads %+v", c)
	}
	// Two verifications list the same items in the same order.
	again := verifyWith(t, d.env)
	for i := range v.Checks {
		if i >= len(again.Checks) || v.Checks[i].RowID() != again.Checks[i].RowID() || v.Checks[i].Evidence != again.Checks[i].Evidence {
			t.Fatalf("the second verification differs at %d: %+v", i, again.Checks[min(i, len(again.Checks)-1)])
		}
	}
}
