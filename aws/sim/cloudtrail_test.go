package sim_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const leakedKey = "AKIAEXAMPLELEAKED001"

// lookupAll pages through LookupEvents for one attribute in one region.
func lookupAll(t *testing.T, c *cloudtrail.Client, key cttypes.LookupAttributeKey, value string) []cttypes.Event {
	t.Helper()
	in := &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: sdk.String(value)}}}
	var out []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) > 50 {
			t.Fatalf("a page of %d events: LookupEvents pages hold at most 50", len(page.Events))
		}
		out = append(out, page.Events...)
	}
	return out
}

// record decodes CloudTrailEvent, which is the whole record as a JSON string.
type record struct {
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccessKey      string `json:"accessKeyId"`
		SessionContext struct {
			SessionIssuer struct{ UserName string } `json:"sessionIssuer"`
		} `json:"sessionContext"`
		InvokedBy string `json:"invokedBy"`
	} `json:"userIdentity"`
	EventName, AWSRegion string
	SourceIPAddress      string `json:"sourceIPAddress"`
	ResponseElements     struct {
		Credentials struct{ AccessKeyID string } `json:"credentials"`
		AccessKey   struct{ AccessKeyID string } `json:"accessKey"`
	} `json:"responseElements"`
	ErrorCode string `json:"errorCode"`
}

func decode(t *testing.T, e cttypes.Event) record {
	t.Helper()
	var r record
	if err := json.Unmarshal([]byte(sdk.ToString(e.CloudTrailEvent)), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTheScenarioHistoryShowsWhatTheLeakedKeyDidBeforeTheDrill(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	ct := cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	events := lookupAll(t, ct, cttypes.LookupAttributeKeyAccessKeyId, leakedKey)
	byName := map[string]record{}
	for _, e := range events {
		r := decode(t, e)
		byName[r.EventName] = r
		if r.SourceIPAddress != "203.0.113.7" || r.AWSRegion != "us-east-1" {
			t.Errorf("%s from %s in %s: want the attacker's address in us-east-1 (IAM and STS are global)", r.EventName, r.SourceIPAddress, r.AWSRegion)
		}
	}
	if got := byName["AssumeRole"].ResponseElements.Credentials.AccessKeyID; got != "ASIAEXAMPLESESSION01" {
		t.Errorf("AssumeRole's responseElements name credentials %q, want the session's ASIA key", got)
	}
	if got := byName["CreateAccessKey"].ResponseElements.AccessKey.AccessKeyID; got != "AKIAEXAMPLEBACKDOOR1" {
		t.Errorf("CreateAccessKey's responseElements name key %q, want the backdoor key", got)
	}
	west := cloudtrail.NewFromConfig(sdkConfig(url, "us-west-2", id, secret))
	// The session launched the fleet, then opened SSH to the world (newest first, as AWS answers).
	runs := lookupAll(t, west, cttypes.LookupAttributeKeyAccessKeyId, "ASIAEXAMPLESESSION01")
	var names []string
	for _, e := range runs {
		r := decode(t, e)
		names = append(names, r.EventName)
		if r.UserIdentity.Type != "AssumedRole" || r.UserIdentity.SessionContext.SessionIssuer.UserName != "deploy-role" {
			t.Errorf("%s by %s of %s: want the deploy-role session", r.EventName, r.UserIdentity.Type, r.UserIdentity.SessionContext.SessionIssuer.UserName)
		}
	}
	if strings.Join(names, ",") != "AuthorizeSecurityGroupIngress,RunInstances" {
		t.Fatalf("the session's us-west-2 events: %v, want the security group rule after the launch", names)
	}
	if n := len(lookupAll(t, west, cttypes.LookupAttributeKeyAccessKeyId, leakedKey)); n != 0 {
		t.Errorf("us-west-2 holds %d events of the leaked key; the global events belong to us-east-1 only", n)
	}
}

func TestServedCallsAreRecordedAndPagedNewestFirst(t *testing.T) {
	srv, clock, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	clock.Advance(3 * time.Hour) // the attacker's timeline runs: RunInstances every 10 minutes in us-west-2
	ct := cloudtrail.NewFromConfig(sdkConfig(url, "us-west-2", id, secret))
	events := lookupAll(t, ct, cttypes.LookupAttributeKeyEventName, "RunInstances")
	if len(events) < 12 {
		t.Fatalf("%d RunInstances events in us-west-2, want the 12 the attacker made plus the session's", len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i].EventTime.After(*events[i-1].EventTime) {
			t.Fatalf("event %d is newer than event %d: LookupEvents answers newest first", i, i-1)
		}
	}
	if r := decode(t, events[0]); r.SourceIPAddress != "203.0.113.7" || r.UserIdentity.AccessKey != leakedKey {
		t.Errorf("the newest launch: %+v", r)
	}
	many := lookupAll(t, cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)), cttypes.LookupAttributeKeyAccessKeyId, leakedKey)
	if len(many) <= 50 {
		t.Fatalf("%d events of the leaked key in us-east-1 after 3 hours: expected several pages", len(many))
	}
}

func TestAssumedRoleCredentialsActAsTheRoleSession(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	out, err := sts.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::111122223333:role/deploy-role"), RoleSessionName: sdk.String("probe")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if got := sdk.ToString(c.AccessKeyId); len(got) != 20 || got[:4] != "ASIA" {
		t.Fatalf("AssumeRole returned key %q, want ASIA…", got)
	}
	cfg := sdkConfig(url, "us-east-1", "", "")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdk.ToString(who.Arn); got != "arn:aws:sts::111122223333:assumed-role/deploy-role/probe" {
		t.Errorf("the session calls itself %s", got)
	}
	events := lookupAll(t, cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)), cttypes.LookupAttributeKeyAccessKeyId, *c.AccessKeyId)
	if len(events) != 1 || decode(t, events[0]).UserIdentity.ARN != "arn:aws:sts::111122223333:assumed-role/deploy-role/probe" {
		t.Errorf("the session's GetCallerIdentity is not recorded as the role session: %+v", events)
	}
}

func TestTheLookupLimitThrottlesTheThirdLookupInASecond(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	srv.SetLookupLimit(2)
	id, secret := srv.ResponderCredentials()
	cfg := sdkConfig(url, "eu-west-1", id, secret)
	cfg.RetryMaxAttempts = 1
	ct := cloudtrail.NewFromConfig(cfg)
	var codes []string
	for range 3 {
		_, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{})
		codes = append(codes, apiCode(err))
	}
	if codes[0] != "" || codes[1] != "" || codes[2] != "ThrottlingException" {
		t.Fatalf("three lookups in a second answered %q, want two answers then ThrottlingException", codes)
	}
	other := cloudtrail.NewFromConfig(sdkConfig(url, "eu-west-2", id, secret))
	if _, err := other.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{}); err != nil {
		t.Errorf("another region has its own limit: %v", err)
	}
}

func TestEC2ErrorsAreRecordedWithTheirCode(t *testing.T) {
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	_, err := ec2.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)).RunInstances(context.Background(), &ec2.RunInstancesInput{
		ImageId: sdk.String("ami-1"), MinCount: sdk.Int32(1), MaxCount: sdk.Int32(1), DryRun: sdk.Bool(true)})
	if apiCode(err) != "DryRunOperation" {
		t.Fatalf("dry run: %v", err)
	}
	events := lookupAll(t, cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)), cttypes.LookupAttributeKeyAccessKeyId, id)
	if len(events) != 1 || decode(t, events[0]).ErrorCode != "Client.DryRunOperation" {
		t.Fatalf("the dry run's record: %+v", events)
	}
}
