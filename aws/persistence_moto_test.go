package aws_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"lockdown/aws"
	"lockdown/steps"
)

// createBucket makes an S3 bucket in moto for a trail to deliver to, with a signed request (moto
// routes by the signature's service).
func createBucket(t *testing.T, url, name string) {
	t.Helper()
	const emptyBody = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req, err := http.NewRequest(http.MethodPut, url+"/"+name, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", emptyBody)
	creds := sdk.Credentials{AccessKeyID: "AKIAEXAMPLEMOTOTEST0", SecretAccessKey: "moto-test-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, emptyBody, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("creating bucket %s: HTTP %d", name, resp.StatusCode)
	}
}

// applySelected inspects, plans the default selection and applies it with changes.
func applySelected(t *testing.T, a steps.Action, env *steps.Env, changes aws.Changes) (*steps.Inspection, *steps.Plan, *steps.Outcome) {
	t.Helper()
	ctx := context.Background()
	insp, err := a.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	plan, err := a.Plan(ctx, env, insp, insp.Table.SelectedIDs())
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	out, err := a.Apply(ctx, env, changes, plan, nil)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return insp, plan, out
}

// TestStoppedTrailAndNewKeyPairAgainstMoto stops a multi-region trail and creates a key pair after
// T0 in moto (which cannot back-date either, so T0 is taken between the two rounds), then checks
// that the steps find both, a dry run changes neither, and a live apply restarts the trail and
// deletes the key pair, read back through the SDK. The same account holds respawners, for
// respawnersAgainstMoto.
func TestStoppedTrailAndNewKeyPairAgainstMoto(t *testing.T) {
	acct, url := aws.StartMoto(t, true)
	ctx := context.Background()
	if _, err := acct.WhoAmI(ctx); err != nil {
		t.Fatal(err)
	}
	createBucket(t, url, "trail-logs")
	ct := aws.SeedTrails(acct, "us-east-1")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdk.String("management-events"), S3BucketName: sdk.String("trail-logs"),
		IsMultiRegionTrail: sdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdk.String("management-events")}); err != nil {
		t.Fatal(err)
	}
	if _, err := aws.SeedEC2(acct, "us-east-1").CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdk.String("ops")}); err != nil {
		t.Fatal(err)
	}
	seedTemplateInMoto(t, acct, "team-web")
	time.Sleep(1100 * time.Millisecond) // moto's times have whole seconds
	since := time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	seedRespawnersInMoto(t, acct)
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: sdk.String("management-events")}); err != nil {
		t.Fatal(err)
	}
	if _, err := aws.SeedEC2(acct, "eu-west-1").CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: sdk.String("attacker")}); err != nil {
		t.Fatal(err)
	}
	env := &steps.Env{Account: acct.ReadOnly(), Since: since, Params: steps.Params{"regions": []string{"us-east-1", "eu-west-1"}}}

	t.Run("the stopped trail is found once and restarted from its home region", func(t *testing.T) {
		insp, plan, dry := applySelected(t, steps.RestoreLogging{}, env, aws.DryRunChangesOf(acct))
		if sel := insp.Table.SelectedIDs(); len(sel) != 1 || !strings.HasSuffix(sel[0], ":trail/management-events") {
			t.Fatalf("selected %v of %+v", sel, insp.Table.Rows)
		}
		if len(plan.Changes) != 1 || plan.Changes[0].Op != "cloudtrail:StartLogging" || plan.Changes[0].Region != "us-east-1" {
			t.Fatalf("plan %+v", plan.Changes)
		}
		// moto has no iam:SimulatePrincipalPolicy: the permission is "not checked", never "would apply".
		if dry.Results[0].Status != steps.StatusNotChecked {
			t.Errorf("dry run result %+v", dry.Results[0])
		}
		if status := trailStatus(t, ct); sdk.ToBool(status.IsLogging) {
			t.Fatal("the dry run started the trail")
		}
		live, err := acct.Changes()
		if err != nil {
			t.Fatal(err)
		}
		_, _, out := applySelected(t, steps.RestoreLogging{}, env, live)
		if len(out.Results) != 1 || out.Results[0].Status != steps.StatusApplied {
			t.Fatalf("live results %+v", out.Results)
		}
		if status := trailStatus(t, ct); !sdk.ToBool(status.IsLogging) {
			t.Error("GetTrailStatus does not read IsLogging true after the apply")
		}
		again, err := steps.RestoreLogging{}.Inspect(ctx, env, nil)
		if err != nil || len(again.Table.SelectedIDs()) != 0 {
			t.Errorf("a second inspection proposes %v (%v)", again.Table.SelectedIDs(), err)
		}
	})

	t.Run("the key pair created after T0 is proven with DryRun, then deleted", func(t *testing.T) {
		insp, _, dry := applySelected(t, steps.DeleteKeyPairs{}, env, aws.DryRunChangesOf(acct))
		if sel := insp.Table.SelectedIDs(); len(sel) != 1 || !strings.HasPrefix(sel[0], "eu-west-1/") {
			t.Fatalf("selected %v of %+v", sel, insp.Table.Rows)
		}
		if dry.Results[0].Status != steps.StatusWouldApply {
			t.Errorf("dry run result %+v", dry.Results[0])
		}
		live, err := acct.Changes()
		if err != nil {
			t.Fatal(err)
		}
		_, _, out := applySelected(t, steps.DeleteKeyPairs{}, env, live)
		if len(out.Results) != 1 || out.Results[0].Status != steps.StatusApplied {
			t.Fatalf("live results %+v", out.Results)
		}
		left, err := aws.SeedEC2(acct, "eu-west-1").DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
		if err != nil || len(left.KeyPairs) != 0 {
			t.Errorf("eu-west-1 still has %d key pairs (%v)", len(left.KeyPairs), err)
		}
		kept, err := aws.SeedEC2(acct, "us-east-1").DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
		if err != nil || len(kept.KeyPairs) != 1 {
			t.Errorf("the key pair made before T0 is gone: %v", err)
		}
	})

	t.Run("the attacker's group, template and fleet are stopped; the team's template stays", func(t *testing.T) {
		respawnersAgainstMoto(t, acct, env)
	})
}

func trailStatus(t *testing.T, ct *cloudtrail.Client) *cloudtrail.GetTrailStatusOutput {
	t.Helper()
	out, err := ct.GetTrailStatus(context.Background(), &cloudtrail.GetTrailStatusInput{Name: sdk.String("management-events")})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
