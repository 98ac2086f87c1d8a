package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"lockdown/aws/moto"
	"lockdown/steps"
)

// TestAgainstMotoANarrowedTrailFailsVerifyUntilPlanAndApplyPutItBack: moto keeps no CloudTrail
// history, so the verification judges by state alone. A trail narrowed to read-only events fails
// it, naming the trail, and so does a bucket rule that deletes the logs within a day; what cannot
// be seen without history (deleted trails and detectors, IAM changes without dates) is unknown
// and only the operator's recorded word settles it. After plan and apply, and the rule removed by
// hand, verify exits 0 and the SDK reads the trail back recording every management event.
func TestAgainstMotoANarrowedTrailFailsVerifyUntilPlanAndApplyPutItBack(t *testing.T) {
	t.Parallel()
	url := moto.Start(t)
	ctx := context.Background()
	cfg := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(url), RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(motoResponder.accessKeyID, motoResponder.secretAccessKey, "")}
	bucket, trail := "acme-trail-logs", "management-events"
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ct := cloudtrail.NewFromConfig(cfg)
	iamc := iam.NewFromConfig(cfg)
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: sdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String(trail), S3BucketName: sdk.String(bucket), IsMultiRegionTrail: sdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String(trail)}); err != nil {
		t.Fatal(err)
	}
	// What the attacker did: the trail records read-only events, and its logs go after a day.
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: sdk.String(trail),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly, IncludeManagementEvents: sdk.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: sdk.String(bucket),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{ID: sdk.String("tidy-up"), Status: s3types.ExpirationStatusEnabled,
			Filter: &s3types.LifecycleRuleFilter{Prefix: sdk.String("AWSLogs/")}, Expiration: &s3types.LifecycleExpiration{Days: sdk.Int32(1)}}}}}); err != nil {
		t.Fatal(err)
	}
	// The leaked key, made before T0: the verification says nothing is out until it is named.
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("etl-runner")}); err != nil {
		t.Fatal(err)
	}
	leaked, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("etl-runner")})
	if err != nil {
		t.Fatal(err)
	}
	key := sdk.ToString(leaked.AccessKey.AccessKeyId)
	skip := motoRegionsBut(t, cfg, "us-east-1")
	journal := t.TempDir()
	// T0 falls just after the key was made: moto's clock is this one.
	since := time.Now().UTC().Format(time.RFC3339Nano)
	lockdown := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		args = append(args, "--endpoint-url", url, "--journal", journal, "--retry-base", "2ms")
		code := runWith(args, &stdout, &stderr, func(g *Globals) { g.credentials, g.transport = motoResponder, inProcessWire })
		return code, stdout.String(), stderr.String()
	}
	verify := func() (int, *steps.Verification, string) {
		t.Helper()
		code, stdout, stderr := lockdown("verify", "--key", key, "--since", since, "--skip-regions", skip, "--json")
		var v steps.Verification
		if err := json.Unmarshal([]byte(stdout), &v); err != nil {
			t.Fatalf("verify printed no JSON (exit %d): %v\n%s", code, err, stderr)
		}
		return code, &v, stderr
	}

	code, before, stderr := verify()
	if code != exitPartial || result(before, "trail events", "trail "+trail) != steps.VerifyFail ||
		result(before, "trail buckets", "trail "+trail) != steps.VerifyFail {
		t.Fatalf("verify of the narrowed trail exited %d:\n%s\n%s", code, strings.Join(failing(before), "\n"), stderr)
	}
	for _, item := range []string{"deleted logging deleted trails and detectors", "IAM persistence changes IAM keeps no date for", "attacker changes us-east-1"} {
		if !slices.Contains(failing(before), item) {
			t.Errorf("without CloudTrail history %q is not unknown:\n%s", item, strings.Join(failing(before), "\n"))
		}
	}
	_, again, _ := verify()
	if a, b := mustMarshal(t, before.Checks), mustMarshal(t, again.Checks); a != b {
		t.Errorf("two runs of verify print different items:\n%s\n%s", a, b)
	}

	plan := filepath.Join(t.TempDir(), "plan.json")
	code, _, stderr = lockdown("plan", "--key", key, "--since", since, "--skip-regions", skip, "-o", plan,
		"--keep", "verify-contained:deleted trails and detectors:the trail and detector list matches our records, SEC-7",
		"--keep", "verify-contained:changes IAM keeps no date for:IAM reviewed by hand against the access review, SEC-7",
		"--keep", "verify-contained:us-east-1:the organization trail's copy of us-east-1 read by hand, SEC-7")
	// moto keeps no history: the trace step fails, and plan says so with exit 3, the plan written.
	if (code != exitOK && code != exitPartial) || !strings.Contains(stderr, "cloudtrail:PutEventSelectors "+trail) || !strings.Contains(stderr, "LEFT FOR THE OPERATOR: trail buckets trail "+trail) {
		t.Fatalf("plan exited %d, or does not put the selectors back and leave the bucket rule to the operator:\n%s", code, stderr)
	}
	code, _, stderr = lockdown("apply", plan, "--live", "--confirm", "123456789012", "--skip-regions", skip,
		"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
	if !strings.Contains(stderr, "records every management event again (read back") {
		t.Fatalf("apply exited %d without putting the selectors back:\n%s", code, stderr)
	}
	// The rule is the operator's to remove by hand; the next verification sees it gone.
	if _, err := s3c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: sdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	code, after, stderr := verify()
	if code != exitOK || !after.Contained {
		t.Fatalf("verify after plan, apply and the rule removed by hand exited %d (contained=%v):\n%s\n%s", code, after.Contained,
			strings.Join(failing(after), "\n"), stderr)
	}
	// What no read could see passes on the operator's recorded word only.
	for _, c := range after.Checks {
		if c.Result == steps.VerifyPass && slices.Contains([]string{"deleted trails and detectors", "changes IAM keeps no date for", "us-east-1"}, c.Item) && c.Kept == "" {
			t.Errorf("%s %s passes without the operator's word: %+v", c.Check, c.Item, c)
		}
	}
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String(trail)})
	if err != nil || len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || !sdk.ToBool(sel.EventSelectors[0].IncludeManagementEvents) {
		t.Errorf("the trail reads back %+v (%v), want every management event", sel, err)
	}
}

// motoRegionsBut lists moto's regions other than keep, for --skip-regions: moto sets each region
// up on its first call, which would make a whole sweep take a minute.
func motoRegionsBut(t *testing.T, cfg sdk.Config, keep ...string) string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{AllRegions: sdk.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var skip []string
	for _, r := range out.Regions {
		if name := sdk.ToString(r.RegionName); !slices.Contains(keep, name) {
			skip = append(skip, name)
		}
	}
	return strings.Join(skip, ",")
}

// result is the result of the verification's item check item.
func result(v *steps.Verification, check, item string) steps.VerifyResult {
	for _, c := range v.Checks {
		if c.Check == check && c.Item == item {
			return c.Result
		}
	}
	return ""
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
