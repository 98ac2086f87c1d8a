package aws_test

import (
	"context"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
	"lockdown/steps"
)

// TestIAMPersistenceAgainstMoto makes a policy, a user with a console password and one without
// before T0, then after T0 a new default policy version, an OIDC provider and a console password
// on the older user, as an attacker would. moto has no CloudTrail event history (LookupEvents
// answers HTTP 500) and no iam:SimulatePrincipalPolicy, so the items are judged by their times
// and a dry run's permissions are "not checked"; inline policies, which only CloudTrail dates,
// cannot be told apart here. moto also answers GetLoginProfile with the user's creation date, not
// the password's (moto 5.2.1, responses.py), so the password added after T0 reads as made with
// the user: lockdown rightly does not flag it, and the simulator's step test covers that case.
// Requiring a password reset is not tried here either: moto's UpdateLoginProfile without a new
// password deletes the password (models.py sets it to None), which IAM never does.
func TestIAMPersistenceAgainstMoto(t *testing.T) {
	acct := aws.StartMotoUnpaced(t)
	ctx := context.Background()
	if _, err := acct.WhoAmI(ctx); err != nil {
		t.Fatal(err)
	}
	api := aws.SeedIAM(acct)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	policy, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdk.String("ci-deploy"),
		PolicyDocument: sdk.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := policy.Policy.Arn
	must(api.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("reports")}))
	must(api.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String("dev")}))
	must(api.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: sdk.String("dev"), Password: sdk.String("Dev-passw0rd-long")}))
	time.Sleep(1100 * time.Millisecond) // moto's times have whole seconds
	since := time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	must(api.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, SetAsDefault: true,
		PolicyDocument: sdk.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	provider, err := api.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: sdk.String("https://tokens.example.net"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}})
	if err != nil {
		t.Fatal(err)
	}
	must(api.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: sdk.String("reports"), Password: sdk.String("Attacker-passw0rd")}))
	env := &steps.Env{Account: acct.ReadOnly(), Since: since, Params: steps.Params{}}
	want := []string{"policy-version/" + *arn + "/v2", "identity-provider/" + *provider.OpenIDConnectProviderArn}

	t.Run("each item is found, a dry run changes none, and the apply removes each", func(t *testing.T) {
		insp, plan, dry := applySelected(t, steps.RemoveIAMPersistence{}, env, aws.DryRunChangesOf(acct))
		sel := insp.Table.SelectedIDs()
		if len(sel) != len(want) || sel[0] != want[0] || sel[1] != want[1] {
			t.Fatalf("selected %v, want %v", sel, want)
		}
		if len(plan.Changes) != len(want) {
			t.Fatalf("plan %+v", plan.Changes)
		}
		for _, r := range dry.Results {
			if r.Status != steps.StatusNotChecked {
				t.Errorf("dry run result %+v", r)
			}
		}
		if vs, err := aws.ListPolicyVersions(ctx, acct.IAM(), *arn); err != nil || len(vs) != 2 {
			t.Fatalf("the dry run changed the policy's versions: %+v, %v", vs, err)
		}
		live, err := acct.Changes()
		if err != nil {
			t.Fatal(err)
		}
		_, _, out := applySelected(t, steps.RemoveIAMPersistence{}, env, live)
		for _, r := range out.Results {
			if r.Status != steps.StatusApplied {
				t.Errorf("live result %+v", r)
			}
		}
		versions, err := api.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn})
		if err != nil || len(versions.Versions) != 1 || *versions.Versions[0].VersionId != "v1" || !versions.Versions[0].IsDefaultVersion {
			t.Errorf("versions read back: %+v, %v", versions, err)
		}
		providers, err := api.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		if err != nil || len(providers.OpenIDConnectProviderList) != 0 {
			t.Errorf("providers read back: %+v, %v", providers, err)
		}
		again, err := steps.RemoveIAMPersistence{}.Inspect(ctx, env, nil)
		if err != nil || len(again.Table.SelectedIDs()) != 0 {
			t.Errorf("a second inspection proposes %v (%v)", again.Table.SelectedIDs(), err)
		}
	})

}
