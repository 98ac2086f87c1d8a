package sim_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func persistenceIAM(t *testing.T) *iam.Client {
	t.Helper()
	srv, _, url := startSim(t, "persistence")
	id, secret := srv.ResponderCredentials()
	return iam.NewFromConfig(sdkConfig(url, "us-east-1", id, secret))
}

const ciDeploy = "arn:aws:iam::444455556666:policy/ci-deploy"

func TestPolicyVersionsFollowIAMsRules(t *testing.T) {
	t.Parallel()
	client := persistenceIAM(t)
	ctx := context.Background()
	arn := sdk.String(ciDeploy)
	doc := sdk.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
	// The scenario planted v2 as the default over v1.
	if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: sdk.String("v2")}); apiCode(err) != "DeleteConflict" {
		t.Fatalf("deleting the default version: %v, want DeleteConflict", err)
	}
	for range 3 {
		if _, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc}); apiCode(err) != "LimitExceeded" {
		t.Fatalf("a sixth version: %v, want LimitExceeded", err)
	}
	var ids []string
	p := iam.NewListPolicyVersionsPaginator(client, &iam.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: sdk.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range out.Versions {
			ids = append(ids, *v.VersionId)
		}
	}
	if pages != 3 || len(ids) != 5 || ids[0] != "v5" || ids[4] != "v1" {
		t.Fatalf("%d pages, versions %v: want newest first over 3 pages", pages, ids)
	}
	if _, err := client.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: sdk.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: sdk.String("v2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: sdk.String("v2")}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("a deleted version: %v, want NoSuchEntity", err)
	}
	got, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc})
	if err != nil || *got.PolicyVersion.VersionId != "v6" {
		t.Fatalf("version ids are never reused: got %v, %v", got, err)
	}
	aws := sdk.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	if _, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws, PolicyDocument: doc}); apiCode(err) != "AccessDenied" {
		t.Fatalf("changing an AWS-managed policy: %v, want AccessDenied", err)
	}
	local, err := client.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"})
	if err != nil || len(local.Policies) != 1 || *local.Policies[0].DefaultVersionId != "v1" {
		t.Fatalf("customer-managed policies: %+v, %v", local, err)
	}
}

func TestIdentityProvidersAreUniqueAndGoneAfterDeletion(t *testing.T) {
	t.Parallel()
	client := persistenceIAM(t)
	ctx := context.Background()
	list, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || len(list.OpenIDConnectProviderList) != 1 {
		t.Fatalf("planted OIDC providers: %+v, %v", list, err)
	}
	arn := list.OpenIDConnectProviderList[0].Arn
	if _, err := client.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: sdk.String("https://tokens.build-cache.example.net")}); apiCode(err) != "EntityAlreadyExists" {
		t.Fatalf("a second provider for the same URL: %v, want EntityAlreadyExists", err)
	}
	got, err := client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	if err != nil || got.CreateDate == nil {
		t.Fatalf("GetOpenIDConnectProvider: %+v, %v", got, err)
	}
	if _, err := client.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("deleting it again: %v, want NoSuchEntity", err)
	}
	saml, err := client.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: sdk.String("corp"), SAMLMetadataDocument: sdk.String("<md/>")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: sdk.String("corp"), SAMLMetadataDocument: sdk.String("<md/>")}); apiCode(err) != "EntityAlreadyExists" {
		t.Fatalf("a second SAML provider of the same name: %v", err)
	}
	if _, err := client.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: saml.SAMLProviderArn}); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordResetAndGroupPoliciesAnswerLikeIAM(t *testing.T) {
	t.Parallel()
	client := persistenceIAM(t)
	ctx := context.Background()
	if _, err := client.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: sdk.String("dev-sam"), PasswordResetRequired: sdk.Bool(true)}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("a user without a console password: %v, want NoSuchEntity", err)
	}
	if _, err := client.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: sdk.String("dev-kim"), PasswordResetRequired: sdk.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	lp, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: sdk.String("dev-kim")})
	if err != nil || !lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("read back: %+v, %v", lp, err)
	}
	g := sdk.String("developers")
	if _, err := client.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: g, PolicyName: sdk.String("nope")}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("deleting a missing group policy: %v", err)
	}
	if _, err := client.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: g, PolicyName: sdk.String("read-billing")}); err != nil {
		t.Fatal(err)
	}
	groups, err := client.ListGroups(ctx, &iam.ListGroupsInput{})
	if err != nil || len(groups.Groups) != 1 {
		t.Fatalf("ListGroups: %+v, %v", groups, err)
	}
}
