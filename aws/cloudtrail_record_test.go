package aws

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// The fixtures are records in AWS's published CloudTrail format, not the simulator's output: a
// reader that only understood the simulator would fail here.
func fixtureEvent(t *testing.T, name string) TrailEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "cloudtrail", name))
	if err != nil {
		t.Fatal(err)
	}
	e, err := trailEventFrom("us-east-1", types.Event{CloudTrailEvent: sdk.String(string(raw))})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAWSRecordsAreReadForTheirAttackerCredentials(t *testing.T) {
	tests := []struct {
		fixture, event, credential, region string
		grants                             []string
	}{
		{"iam-create-user.json", "CreateUser", "AKIAI44QH8DHBEXAMPLE", "us-east-1", []string{"user Richard"}},
		{"iam-create-access-key.json", "CreateAccessKey", "AKIAI44QH8DHBEXAMPLE", "us-east-1", []string{"access key AKIAIOSFODNN7EXAMPLE"}},
		{"sts-assume-role.json", "AssumeRole", "AKIAI44QH8DHBEXAMPLE", "us-east-1", []string{"session ASIAIOSFODNN7EXAMPLE"}},
		{"sts-get-session-token.json", "GetSessionToken", "AKIAI44QH8DHBEXAMPLE", "us-east-2", []string{"session ASIAJ2EXAMPLESESSION"}},
		{"ec2-run-instances.json", "RunInstances", "ASIAIOSFODNN7EXAMPLE", "us-west-2", nil},
		{"ec2-run-instances-denied.json", "RunInstances", "AKIAIOSFODNN7EXAMPLE", "eu-north-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			e := fixtureEvent(t, tt.fixture)
			if e.EventName != tt.event || e.Credential != tt.credential || e.Region != tt.region || e.EventID == "" || e.SourceIP == "" {
				t.Errorf("read %+v", e)
			}
			var got []string
			for _, c := range e.grants() {
				got = append(got, c.Kind+" "+c.ID)
				if c.By != tt.credential || c.EventID != e.EventID {
					t.Errorf("%s is not traced to its event: %+v", c.ID, c)
				}
			}
			if !slices.Equal(got, tt.grants) {
				t.Errorf("grants %v, want %v", got, tt.grants)
			}
		})
	}
}

func TestARunInstancesRecordNamesEveryInstanceItLaunched(t *testing.T) {
	e := fixtureEvent(t, "ec2-run-instances.json")
	if !e.Time.Equal(time.Date(2024, 3, 4, 16, 2, 37, 0, time.UTC)) {
		t.Errorf("time %v", e.Time)
	}
	var ids []string
	for _, c := range e.created() {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"i-0a1b2c3d4EXAMPLE1", "i-0a1b2c3d4EXAMPLE2"}) {
		t.Errorf("instances %v", ids)
	}
	if e.rec.UserIdentity.SessionContext.SessionIssuer.ARN != "arn:aws:iam::111122223333:role/AssumeNothing" {
		t.Errorf("the session's role is lost: %+v", e.rec.UserIdentity)
	}
	if !slices.Contains(e.Resources, "i-0a1b2c3d4EXAMPLE2") {
		t.Errorf("resources %v", e.Resources)
	}
}

func TestARefusedCallCreatesNothing(t *testing.T) {
	e := fixtureEvent(t, "ec2-run-instances-denied.json")
	if e.Succeeded() || e.ErrorCode != "Client.UnauthorizedOperation" || len(e.created()) != 0 {
		t.Errorf("a refused launch: %+v created %v", e, e.created())
	}
}
