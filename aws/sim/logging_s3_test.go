package sim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func lingeringConfig(t *testing.T, region string) (sdk.Config, func(time.Duration)) {
	t.Helper()
	srv, clock, url := startSim(t, "lingering-access")
	id, secret := srv.ResponderCredentials()
	return sdkConfig(url, region, id, secret), clock.Advance
}

func pathStyle(o *s3.Options) { o.UsePathStyle = true }

func TestTrailBucketsAnswerAsS3DoesFromTheirOwnRegionWithTheirLifecycleRules(t *testing.T) {
	t.Parallel()
	cfg, _ := lingeringConfig(t, "us-east-1")
	ctx := context.Background()
	east := s3.NewFromConfig(cfg, pathStyle)
	head, err := east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("acme-data-cloudtrail")})
	if err != nil || sdk.ToString(head.BucketRegion) != "us-east-1" {
		t.Fatalf("HeadBucket: %+v, %v", head, err)
	}
	_, err = east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("acme-data-lake-trail")})
	var resp *smithyhttp.ResponseError
	if !errors.As(err, &resp) || resp.HTTPStatusCode() != http.StatusMovedPermanently || resp.Response.Header.Get("X-Amz-Bucket-Region") != "us-west-2" {
		t.Fatalf("HeadBucket of another region's bucket: %v, want a 301 naming us-west-2", err)
	}
	if _, err := east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdk.String("no-such-bucket")}); !errors.As(err, &resp) || resp.HTTPStatusCode() != http.StatusNotFound {
		t.Fatalf("HeadBucket of a missing bucket: %v, want 404", err)
	}
	rules, err := east.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: sdk.String("acme-data-cloudtrail")})
	if err != nil || len(rules.Rules) != 1 || sdk.ToString(rules.Rules[0].ID) != "tidy-up" || sdk.ToInt32(rules.Rules[0].Expiration.Days) != 1 ||
		sdk.ToString(rules.Rules[0].Filter.Prefix) != "AWSLogs/" {
		t.Fatalf("the attacker's rule: %+v, %v", rules, err)
	}
	_, err = east.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: sdk.String("acme-data-cloudtrail"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{ID: sdk.String("keep-a-year"),
			Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: sdk.String("")}, Expiration: &s3types.LifecycleExpiration{Days: sdk.Int32(365)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	rules, err = east.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: sdk.String("acme-data-cloudtrail")})
	if err != nil || len(rules.Rules) != 1 || sdk.ToString(rules.Rules[0].ID) != "keep-a-year" {
		t.Fatalf("after PutBucketLifecycleConfiguration: %+v, %v", rules, err)
	}
	if _, err := east.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: sdk.String("acme-data-cloudtrail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: sdk.String("acme-data-cloudtrail")}); apiCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("after DeleteBucketLifecycle: %v", err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	req, _ := recordOf(t, ct, "PutBucketLifecycle", "AKIAEXAMPLELEAKED003")
	if req["bucketName"] != "acme-data-cloudtrail" || req["LifecycleConfiguration"] == nil {
		t.Errorf("the attacker's PutBucketLifecycle is recorded as %v", req)
	}
}

func TestTrailSelectorsAreBasicOrAdvancedAndPutOnlyFromTheHomeRegionAsCloudTrailDoes(t *testing.T) {
	t.Parallel()
	cfg, _ := lingeringConfig(t, "us-east-1")
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(cfg)
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String("management-events")})
	if err != nil || len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeReadOnly {
		t.Fatalf("the narrowed trail's selectors: %+v, %v", sel, err)
	}
	west := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = "us-west-2" })
	lake, err := west.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdk.String("data-lake")})
	if err != nil || len(lake.AdvancedEventSelectors) != 1 || len(lake.EventSelectors) != 0 {
		t.Fatalf("the data-event trail's advanced selectors: %+v, %v", lake, err)
	}
	all := []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: sdk.Bool(true)}}
	if _, err := west.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: sdk.String("arn:aws:cloudtrail:us-east-1:222233334444:trail/management-events"), EventSelectors: all}); apiCode(err) != "InvalidHomeRegionException" {
		t.Errorf("from another region: %v, want InvalidHomeRegionException", err)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: sdk.String("management-events"), EventSelectors: all,
		AdvancedEventSelectors: lake.AdvancedEventSelectors}); apiCode(err) != "InvalidParameterCombinationException" {
		t.Errorf("both kinds at once: %v, want InvalidParameterCombinationException", err)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: sdk.String("management-events"), EventSelectors: all}); err != nil {
		t.Fatal(err)
	}
	req, resp := recordOf(t, ct, "PutEventSelectors", "AKIAEXAMPLERESPOND03")
	list, _ := req["eventSelectors"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["readWriteType"] != "All" || resp["trailARN"] == nil {
		t.Errorf("PutEventSelectors is recorded as %v / %v", req, resp)
	}
	// A deleted trail is gone; created again, it logs only once started.
	if _, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"security-archive"}}); err != nil {
		t.Fatal(err)
	}
	eu := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = "eu-west-1" })
	if _, err := eu.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("security-archive"), S3BucketName: sdk.String("nowhere")}); apiCode(err) != "S3BucketDoesNotExistException" {
		t.Errorf("a trail into a missing bucket: %v", err)
	}
	made, err := eu.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("security-archive"), S3BucketName: sdk.String("acme-security-archive"), S3KeyPrefix: sdk.String("eu")})
	if err != nil || sdk.ToString(made.TrailARN) != "arn:aws:cloudtrail:eu-west-1:222233334444:trail/security-archive" {
		t.Fatalf("CreateTrail: %+v, %v", made, err)
	}
	st, err := eu.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdk.String("security-archive")})
	if err != nil || sdk.ToBool(st.IsLogging) {
		t.Errorf("a new trail logs before StartLogging: %+v, %v", st, err)
	}
	history, err := eu.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: sdk.String("CreateTrail")}}})
	if err != nil || len(history.Events) != 3 {
		t.Errorf("the history holds %d CreateTrail events (the team's two months ago, the refused one and this one), %v", len(history.Events), err)
	}
}

func TestTheAttackersTimedLoggingCallsWorkWhileTheKeyDoesAndAreRecorded(t *testing.T) {
	t.Parallel()
	srv, clock, url := startSim(t, "lingering-access")
	id, secret := srv.ResponderCredentials()
	clock.Advance(25 * time.Minute)
	for _, r := range srv.AttackLog() {
		// The attacker opens RDP again every quarter of an hour; while it is open, EC2 says so.
		if !r.Succeeded() && r.Code != "InvalidPermission.Duplicate" {
			t.Errorf("the attacker's %s at %s failed: %s %s", r.Action, r.Time, r.Code, r.Message)
		}
	}
	ctx := context.Background()
	gd := guardduty.NewFromConfig(sdkConfig(url, "eu-west-1", id, secret))
	ds, err := gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil || len(ds.DetectorIds) != 0 {
		t.Errorf("eu-west-1's detector after the attacker deleted it: %+v, %v", ds, err)
	}
	ct := cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	req, _ := recordOf(t, ct, "PutEventSelectors", "AKIAEXAMPLELEAKED003")
	if list, _ := req["eventSelectors"].([]any); len(list) != 1 || list[0].(map[string]any)["readWriteType"] != "ReadOnly" {
		t.Errorf("the attacker's PutEventSelectors is recorded as %v", req)
	}
	euCT := cloudtrail.NewFromConfig(sdkConfig(url, "eu-west-1", id, secret))
	if req, _ := recordOf(t, euCT, "DeleteDetector", "AKIAEXAMPLELEAKED003"); req["detectorId"] != "4e1d7a0c9b3f2e8d6c5a4b3921f0e7d6" {
		t.Errorf("the attacker's DeleteDetector is recorded as %v", req)
	}
}
