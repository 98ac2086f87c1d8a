package sim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestAccessAnalyzerListsItsFindingsAndOnesForEverySnapshotSharedOutside(t *testing.T) {
	t.Parallel()
	srv, url := startScenario(t, exposedAccount)
	id, secret := srv.ResponderCredentials()
	ctx := context.Background()
	aa := accessanalyzer.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
	list, err := aa.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{Type: aatypes.TypeAccount})
	if err != nil || len(list.Analyzers) != 1 || list.Analyzers[0].Status != aatypes.AnalyzerStatusActive {
		t.Fatalf("us-east-1's analyzers: %+v, %v", list, err)
	}
	arn := list.Analyzers[0].Arn
	active := map[string]aatypes.Criterion{"status": {Eq: []string{"ACTIVE"}}}
	var findings []aatypes.FindingSummary
	p := accessanalyzer.NewListFindingsPaginator(aa, &accessanalyzer.ListFindingsInput{AnalyzerArn: arn, Filter: active, MaxResults: sdk.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		findings = append(findings, page.Findings...)
	}
	var about []string
	for _, f := range findings {
		about = append(about, string(f.ResourceType)+" "+f.Principal["AWS"])
	}
	slices.Sort(about)
	if strings.Join(about, ", ") != "AWS::EC2::Snapshot 111100002222, AWS::EC2::Snapshot 999988887777, AWS::S3::Bucket 999988887777" {
		t.Fatalf("active findings, a page at a time: %v", about)
	}

	// Removing a share resolves its finding: the analyzer reads the account as it is.
	if _, err := ec2.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)).ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: sdk.String("snap-0ddddddddddddddd1"), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: ec2types.OperationTypeRemove, UserIds: []string{"999988887777"}}); err != nil {
		t.Fatal(err)
	}
	again, err := aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: arn, Filter: active})
	if err != nil || len(again.Findings) != 2 {
		t.Fatalf("findings after the share went: %+v, %v", again, err)
	}
	if _, err := aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: sdk.String(strings.Replace(*arn, "account-analyzer", "other", 1))}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("an unknown analyzer: %v, want ResourceNotFoundException", err)
	}
	if _, err := aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: arn, Filter: map[string]aatypes.Criterion{"colour": {Eq: []string{"red"}}}}); apiCode(err) != "ValidationException" {
		t.Errorf("an unknown filter key: %v, want ValidationException", err)
	}
	none, err := accessanalyzer.NewFromConfig(sdkConfig(url, "eu-west-1", id, secret)).ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{})
	if err != nil || len(none.Analyzers) != 0 {
		t.Errorf("eu-west-1 has no analyzer, but lists %+v, %v", none, err)
	}
}

func TestAPlantedShareIsInCloudTrailAsTheAttackersModifySnapshotAttribute(t *testing.T) {
	t.Parallel()
	srv, url := startScenario(t, exposedAccount)
	id, secret := srv.ResponderCredentials()
	events := lookupAll(t, cloudtrail.NewFromConfig(sdkConfig(url, "us-east-1", id, secret)), cttypes.LookupAttributeKeyEventName, "ModifySnapshotAttribute")
	if len(events) != 1 {
		t.Fatalf("%d ModifySnapshotAttribute events; want the attacker's one (the backup share has no by)", len(events))
	}
	rec := sdk.ToString(events[0].CloudTrailEvent)
	for _, want := range []string{`"accessKeyId":"AKIAEXAMPLELEAKED001"`, `"createVolumePermission":{"add":{"items":[{"userId":"999988887777"}]}}`, `"snapshotId":"snap-0ddddddddddddddd1"`} {
		if !strings.Contains(rec, want) {
			t.Errorf("the record lacks %s:\n%s", want, rec)
		}
	}
}
