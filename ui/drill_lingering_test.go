package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// lingeringKept are what lingering-access's good response keeps on the verification, each with
// the reason the operator types: the team's world-open portals, backup shares, published AMI and
// the backup key's finding (listed by Close what the attacker opened, never proposed), the exports
// bucket fixed by hand, the lead's role and the trail that records data events by design.
var lingeringKept = map[string]string{
	"sgr-0ee05b0b000000443":                "the shop is public, WEB-1",
	"sgr-0ee05b0b000000444":                "the shop is public, WEB-1",
	"snap-0da7a0b5e0000db01/111100002222":  "our backup account, BAK-7",
	"snap-0da7a0b5e0000db02/111100002222":  "our backup account, BAK-7",
	"ami-0da7a0b5e00001a32/all":            "the appliance we publish",
	"990971eb-1cc6-7346-48cb-8375d739e6a8": "the backup account decrypts the backups",
	"c1d27660-b76f-b734-45e6-01bb38ebe5b8": "bucket policy removed by hand, SEC-20", // no bucket policy calls in the simulator
	"analytics-runner":                     "made by maya for the new reports Lambda, DATA-88",
	"data-lake":                            "data events only, by design; management events are in management-events",
}

// org-pivot has no good-response drill here: its good response is an organization sweep (whose,
// then scan, trace and plan --org into the member accounts), which the interface does not offer,
// and a drill simulates the management account alone, where the attacker left no instance, so the
// debrief's maximum says nothing about the members the attacker entered. The --org tests play it.

// lingering-access: contain first, then trace; restore logging, take back the IAM grants, delete
// the attacker's roles, terminate their instance, close the doors CloudTrail pins on them; by hand
// (in the console, with the responder's own credentials) remove the rule that deletes the trail's
// logs, re-create the deleted trail and delete the attacker's policy; keep the team's own with the
// reasons.
func TestGoodResponseLingeringAccess(t *testing.T) {
	t.Parallel()
	d := startTeatestDrillOf(t, "lingering-access")
	clock := d.sim.Clock
	clock.Advance(2 * time.Minute)
	d.containAndTrace()
	d.follow(append(append([]string{"restore-logging"}, cleanUp...), "close-exposure")...)
	d.lingeringByHand()
	clock.Advance(10 * time.Minute)
	var unexpected []string
	for _, c := range d.verify().Checks {
		if !c.Open() {
			continue
		}
		reason := ""
		for item, why := range lingeringKept {
			if strings.Contains(c.Item, item) {
				reason = why
			}
		}
		if reason == "" {
			unexpected = append(unexpected, c.Check+" "+c.Item+": "+c.Evidence)
			continue
		}
		d.keep(c.Item, reason)
	}
	if len(unexpected) > 0 {
		t.Fatalf("after the good response the verification leaves what the response does not keep:\n%s", strings.Join(unexpected, "\n"))
	}
	if v := d.verify(); !v.Contained {
		t.Fatalf("the verification after the good response: %s", remainingItems(v))
	}
	clock.Advance(time.Minute)
	mustScoreFull(t, d.score())
}

// lingeringByHand is what the response does outside lockdown, as the plan names it: the trail
// bucket's lifecycle rule removed, the deleted trail re-created and logging, the attacker's own
// policy deleted.
func (d *teatestDrill) lingeringByHand() {
	d.t.Helper()
	ctx := context.Background()
	bucket := s3.NewFromConfig(d.sim.ByHand("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := bucket.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: sdk.String("acme-data-cloudtrail")}); err != nil {
		d.t.Fatal(err)
	}
	eu := cloudtrail.NewFromConfig(d.sim.ByHand("eu-west-1"))
	if _, err := eu.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("security-archive"),
		S3BucketName: sdk.String("acme-security-archive"), S3KeyPrefix: sdk.String("eu")}); err != nil {
		d.t.Fatal(err)
	}
	if _, err := eu.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String("security-archive")}); err != nil {
		d.t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(d.sim.ByHand("us-east-1")).DeletePolicy(ctx, &iam.DeletePolicyInput{
		PolicyArn: sdk.String("arn:aws:iam::222233334444:policy/backup-access")}); err != nil {
		d.t.Fatal(err)
	}
}
