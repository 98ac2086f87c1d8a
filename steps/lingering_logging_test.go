package steps

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lockdown/aws/sim"
)

const (
	managementTrail = "arn:aws:cloudtrail:us-east-1:222233334444:trail/management-events"
	dataLakeTrail   = "arn:aws:cloudtrail:us-west-2:222233334444:trail/data-lake"
)

func TestRestoreLoggingPutsBackTheSelectorsTheAttackerNarrowedAndNamesWhatStaysByHand(t *testing.T) {
	t.Parallel()
	d := startLingering(t, Drill, true)
	insp, plan, out := d.run(t, RestoreLogging{})
	narrowed, _ := rowByID(insp, "selectors/"+managementTrail)
	if !narrowed.Selected || !strings.Contains(narrowed.Reasons[0], "narrowed after T0 by the attacker — PutEventSelectors by "+lingeringKey) {
		t.Errorf("the trail the attacker narrowed reads %+v", narrowed)
	}
	lake, _ := rowByID(insp, "selectors/"+dataLakeTrail)
	if lake.Selected || !strings.Contains(lake.Reasons[0], "records no management events: not changed since T0") {
		t.Errorf("the data-event trail, narrowed by design long ago, reads %+v: listed, never proposed", lake)
	}
	deleted, _ := rowByID(insp, "deleted-trail/security-archive")
	if deleted.Selected || !strings.Contains(deleted.Reasons[0], "aws cloudtrail create-trail --region eu-west-1 --name security-archive --s3-bucket-name acme-security-archive --s3-key-prefix eu") {
		t.Errorf("the deleted trail does not name how to create it again: %+v", deleted)
	}
	bucket, _ := rowByID(insp, "bucket/"+managementTrail)
	if bucket.Selected || !strings.Contains(bucket.Reasons[0], `rule "tidy-up" expires files under "AWSLogs/" after 1 day`) {
		t.Errorf("the bucket's short lifecycle reads %+v", bucket)
	}
	ops := []string{}
	for _, c := range plan.Changes {
		ops = append(ops, c.Op+" "+c.Region)
	}
	if strings.Join(ops, ", ") != "cloudtrail:PutEventSelectors us-east-1, guardduty:CreateDetector us-east-1" {
		t.Fatalf("planned %v", ops)
	}
	for _, r := range out.Results {
		if r.Status != StatusApplied || !strings.Contains(r.Message, "read back") {
			t.Errorf("result %+v", r)
		}
	}
	_, v := verifyNow(t, d.env)
	for _, gone := range []struct{ check, item string }{{checkTrailEvts, "trail management-events"}} {
		if c := checkOf(v, gone.check, gone.item); c.Result != "" {
			t.Errorf("%s %s after the apply: %+v", gone.check, gone.item, c)
		}
	}
	if c := checkOf(v, checkDeletedLog, "GuardDuty us-east-1"); c.Result != VerifyPass || !strings.Contains(c.Evidence, "has a detector again") {
		t.Errorf("the deleted detector after the apply: %+v", c)
	}
	for _, left := range []struct{ check, item string }{{checkTrailEvts, "trail data-lake"}, {checkBuckets, "trail management-events"}, {checkDeletedLog, "trail security-archive"}} {
		if c := checkOf(v, left.check, left.item); c.Result != VerifyFail {
			t.Errorf("%s %s, which no step undoes, reads %+v", left.check, left.item, c)
		}
	}
	// The bucket's short lifecycle is one row: the state of the bucket, naming the attacker's change.
	if c := checkOf(v, checkByHand, "/acme-data-cloudtrail/"); c.Result != "" {
		t.Errorf("the bucket's short lifecycle is listed twice, again as the attacker's change: %+v", c)
	}
	if c := checkOf(v, checkBuckets, "trail management-events"); !strings.Contains(c.Evidence, "the attacker's change: PutBucketLifecycle") {
		t.Errorf("the bucket's row does not name the attacker's change: %+v", c)
	}
}

func TestWhatLoggingLeavesByHandPassesOnceDoneByHandWithItsEvidence(t *testing.T) {
	t.Parallel()
	d := startLingering(t, Drill, true)
	ctx := context.Background()
	east := s3.NewFromConfig(d.sim.ByHand("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := east.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: sdk.String("acme-data-cloudtrail")}); err != nil {
		t.Fatal(err)
	}
	eu := cloudtrail.NewFromConfig(d.sim.ByHand("eu-west-1"))
	if _, err := eu.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("security-archive"), S3BucketName: sdk.String("acme-security-archive"), S3KeyPrefix: sdk.String("eu")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String("security-archive")}); err != nil {
		t.Fatal(err)
	}
	_, v := verifyNow(t, d.env)
	if c := checkOf(v, checkBuckets, "trail management-events"); c.Result != "" {
		t.Errorf("the bucket after its rule was removed by hand: %+v", c)
	}
	if c := checkOf(v, checkByHand, "/acme-data-cloudtrail/"); c.Result != VerifyPass || !strings.Contains(c.Evidence, "no lifecycle rule of bucket acme-data-cloudtrail expires its files") {
		t.Errorf("the attacker's PutBucketLifecycle, undone by hand: %+v", c)
	}
	if c := checkOf(v, checkDeletedLog, "trail security-archive"); c.Result != VerifyPass || !strings.Contains(c.Evidence, "exists again") {
		t.Errorf("the deleted trail, created again by hand: %+v", c)
	}
}

func TestWithoutCloudTrailHistoryDeletedTrailsAndDetectorsAreUnknownAndANarrowedTrailIsStillProposed(t *testing.T) {
	t.Parallel()
	d := startLingering(t, DryRun, false)
	if err := d.srv.AddFault(sim.Fault{Service: "cloudtrail", Action: "LookupEvents", Deny: true}); err != nil {
		t.Fatal(err)
	}
	_, v := verifyNow(t, d.env)
	c := checkOf(v, checkDeletedLog, itemDeletedLogging)
	if c.Result != VerifyUnknown || !strings.Contains(c.Evidence, "a trail deleted since T0 in every region (4)") ||
		!strings.Contains(c.Evidence, "GuardDuty detector deleted in us-east-1") || !strings.Contains(c.Evidence, "AccessDenied") {
		t.Fatalf("without the history: %+v, want unknown naming what cannot be seen", c)
	}
	for _, check := range []string{checkDeletedLog, checkLoggingOn} {
		for _, x := range v.Checks {
			if x.Check == check && x.Result == VerifyPass {
				t.Errorf("%s passes without the history: %+v", check, x)
			}
		}
	}
	if c := checkOf(v, checkTrailEvts, "trail management-events"); c.Result != VerifyFail || !strings.Contains(c.Evidence, "when and by whom is unknown") {
		t.Errorf("the narrowed trail without the history: %+v", c)
	}
	insp, err := RestoreLogging{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if row, _ := rowByID(insp, "selectors/"+managementTrail); !row.Selected {
		t.Errorf("without the history the narrowed trail is not proposed: %+v", row)
	}
}
