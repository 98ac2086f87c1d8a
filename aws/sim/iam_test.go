package sim_test

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func responderIAM(t *testing.T) (*iam.Client, func(key, secret string) *iam.Client, string) {
	t.Helper()
	srv, _, url := startSim(t, "crypto-miner")
	id, secret := srv.ResponderCredentials()
	as := func(k, s string) *iam.Client { return iam.NewFromConfig(sdkConfig(url, "us-east-1", k, s)) }
	return as(id, secret), as, url
}

func TestListUsersPagesWithMarkerAndMaxItemsLikeIAM(t *testing.T) {
	client, _, _ := responderIAM(t)
	var names []string
	pages := 0
	p := iam.NewListUsersPaginator(client, &iam.ListUsersInput{MaxItems: sdk.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
	}
	if pages != 3 || len(names) != 5 || names[0] != "alice" || names[4] != "support-sync" {
		t.Fatalf("%d pages: %v", pages, names)
	}
}

func TestDeleteUserConflictsUntilEveryDependentIsGone(t *testing.T) {
	client, _, _ := responderIAM(t)
	ctx := context.Background()
	user := sdk.String("support-sync")
	steps := []struct {
		name   string
		remove func() error
	}{
		{"access keys", func() error {
			keys, _ := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
			_, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: keys.AccessKeyMetadata[0].AccessKeyId})
			return err
		}},
		{"login profile", func() error {
			_, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
			return err
		}},
		{"MFA devices", func() error {
			devs, _ := client.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: user})
			_, err := client.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: devs.MFADevices[0].SerialNumber})
			return err
		}},
		{"signing certificates", func() error {
			certs, _ := client.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})
			_, err := client.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: user, CertificateId: certs.Certificates[0].CertificateId})
			return err
		}},
		{"SSH public keys", func() error {
			keys, _ := client.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})
			_, err := client.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: user, SSHPublicKeyId: keys.SSHPublicKeys[0].SSHPublicKeyId})
			return err
		}},
		{"service-specific credentials", func() error {
			creds, _ := client.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user})
			_, err := client.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: user,
				ServiceSpecificCredentialId: creds.ServiceSpecificCredentials[0].ServiceSpecificCredentialId})
			return err
		}},
		{"inline policies", func() error {
			_, err := client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: sdk.String("sync")})
			return err
		}},
		{"attached policies", func() error {
			_, err := client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: sdk.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}},
		{"group memberships", func() error {
			_, err := client.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: user, GroupName: sdk.String("admins")})
			return err
		}},
	}
	for _, st := range steps {
		if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); apiCode(err) != "DeleteConflict" {
			t.Fatalf("with %s left, want DeleteConflict, got %v", st.name, err)
		}
		if err := st.remove(); err != nil {
			t.Fatalf("removing %s: %v", st.name, err)
		}
	}
	if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("want NoSuchEntity for a deleted user, got %v", err)
	}
}

func TestAThirdAccessKeyIsRefusedWithLimitExceeded(t *testing.T) {
	client, _, _ := responderIAM(t)
	_, err := client.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("billing-reports")})
	if apiCode(err) != "LimitExceeded" {
		t.Fatalf("want LimitExceeded, got %v", err)
	}
}

func TestAKeyStopsAuthenticatingOnceInactive(t *testing.T) {
	client, _, url := responderIAM(t)
	ctx := context.Background()
	created, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	k := created.AccessKey
	asAlice := sts.NewFromConfig(sdkConfig(url, "us-east-1", *k.AccessKeyId, *k.SecretAccessKey))
	if _, err := asAlice.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	used, _ := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
	if used.AccessKeyLastUsed.LastUsedDate == nil || *used.AccessKeyLastUsed.ServiceName != "sts" || *used.UserName != "alice" {
		t.Fatalf("last used not recorded: %+v", used.AccessKeyLastUsed)
	}
	if _, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: sdk.String("alice"), AccessKeyId: k.AccessKeyId, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	if _, err := asAlice.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("want InvalidClientTokenId, got %v", err)
	}
}

func TestTheQuarantinePoliciesAndTheAccountSummaryAreThere(t *testing.T) {
	client, _, _ := responderIAM(t)
	ctx := context.Background()
	for _, name := range []string{"AWSCompromisedKeyQuarantineV2", "AWSCompromisedKeyQuarantineV3", "AdministratorAccess"} {
		if _, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: sdk.String("arn:aws:iam::aws:policy/" + name)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	sum, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["AccountMFAEnabled"] != 1 || sum.SummaryMap["AccountAccessKeysPresent"] != 0 {
		t.Fatalf("summary %v, %v", sum, err)
	}
	creds, err := client.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: sdk.String("alice")})
	if err != nil || len(creds.ServiceSpecificCredentials) != 0 {
		t.Fatalf("ListServiceSpecificCredentials: %v %v", creds, err)
	}
}
