package steps

import (
	"context"
	"log/slog"
	"reflect"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
	"lockdown/aws/moto"
)

// motoEnv runs moto_server, an independent AWS emulator, for one test: the simulator is never the
// only judge of protocol details.
func motoEnv(t *testing.T) *Env {
	t.Helper()
	url := moto.Start(t)
	acct, err := aws.Open(context.Background(), aws.Options{Region: "us-east-1", EndpointURL: url, AccessKeyID: "AKIAEXAMPLEMOTOTEST0",
		SecretAccessKey: "moto-test-secret", Mode: aws.Live, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := envOf(acct)
	env.Log = slog.New(slog.DiscardHandler)
	return env
}

type seeded struct {
	oldKey, addedKey string
}

// seedMoto builds users before and after T0, with a one-second gap either side because IAM dates
// have whole seconds.
func seedMoto(t *testing.T, env *Env) seeded {
	t.Helper()
	ctx, c := context.Background(), sdkIAM(env.Account.Endpoint(), "AKIAEXAMPLEMOTOTEST0", "moto-test-secret")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var s seeded
	for _, u := range []string{"old-ci", "legacy"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: sdk.String(u)}))
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("old-ci")})
	must(k, err)
	s.oldKey = *k.AccessKey.AccessKeyId
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("legacy")}))
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("legacy")}))
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: sdk.String("legacy"), Password: sdk.String("Old-password-1")}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: sdk.String("ops")}))

	time.Sleep(1100 * time.Millisecond)
	env.Since = time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)

	b := sdk.String("backdoor")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: b}))
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: b}))
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: b, Password: sdk.String("Backdoor-password-1")}))
	mfa, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: b})
	must(mfa, err)
	must(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: b, SerialNumber: mfa.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: sdk.String("123456"), AuthenticationCode2: sdk.String("654321")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: b, PolicyName: sdk.String("all"),
		PolicyDocument: sdk.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: b, PolicyArn: sdk.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: b, GroupName: sdk.String("ops")}))
	added, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("old-ci")})
	must(added, err)
	s.addedKey = *added.AccessKey.AccessKeyId

	// The leaked key is used after T0.
	leaked, err := aws.Open(ctx, aws.Options{Region: "us-east-1", EndpointURL: env.Account.Endpoint(), AccessKeyID: s.oldKey,
		SecretAccessKey: *k.AccessKey.SecretAccessKey, MaxAttempts: 1})
	must(leaked, err)
	must(leaked.IAM().ListUsers(ctx, &iam.ListUsersInput{}))
	return s
}

func TestIAMActionsAgainstMoto(t *testing.T) {
	env := motoEnv(t)
	s := seedMoto(t, env)
	ctx := context.Background()

	t.Run("the inventory flags exactly the post-T0 items", func(t *testing.T) {
		insp, err := CredentialInventory{}.Inspect(ctx, env, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, u := range insp.Data.(*KeysReport).Users {
			got[u.Name] = u.Flags
			for _, k := range u.Keys {
				got[k.ID] = k.Flags
			}
		}
		want := []struct {
			name  string
			flags []string
		}{
			{"legacy", []string{}},
			{"old-ci", []string{}},
			{s.oldKey, []string{FlagKeyUsedAfterT0}},
			{s.addedKey, []string{FlagKeyCreatedAfterT0}},
			{"backdoor", []string{FlagUserCreatedAfterT0, FlagPasswordCreatedAfterT0, FlagMFAEnabledAfterT0, FlagAdminPolicy}},
		}
		for _, w := range want {
			if !reflect.DeepEqual(got[w.name], w.flags) {
				t.Errorf("%s: got %v, want %v", w.name, got[w.name], w.flags)
			}
		}
	})

	t.Run("a dry run cannot prove IAM permissions on moto, so every change is not checked", func(t *testing.T) {
		acct, err := aws.Open(ctx, aws.Options{Region: "us-east-1", EndpointURL: env.Account.Endpoint(), AccessKeyID: "AKIAEXAMPLEMOTOTEST0",
			SecretAccessKey: "moto-test-secret", Mode: aws.DryRun, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		dry := envOf(acct)
		dry.Inputs["access_key_id"] = s.oldKey
		out := runAction(t, dry, ContainKey{})
		for _, r := range out.Results {
			if r.Status != StatusNotChecked {
				t.Errorf("%s: %s %s; moto does not implement iam:SimulatePrincipalPolicy, so it must say not checked", r.ChangeID, r.Status, r.Message)
			}
		}
	})

	t.Run("containment deactivates exactly the given key, and a second run is already done", func(t *testing.T) {
		env.Inputs["access_key_id"] = s.oldKey
		first := runAction(t, env, ContainKey{})
		if statuses(first)[StatusApplied] != 3 {
			t.Fatalf("results: %+v", first.Results)
		}
		keys, _ := aws.ListAccessKeys(ctx, env.Account.IAM(), "old-ci", false)
		for _, k := range keys {
			if (k.ID == s.oldKey) != (k.Status == aws.KeyInactive) {
				t.Fatalf("keys after containment: %+v", keys)
			}
		}
		again := runAction(t, env, ContainKey{})
		if statuses(again)[StatusAlreadyDone] != 3 {
			t.Fatalf("second run: %+v", again.Results)
		}
	})

	t.Run("rotation makes room under the two-key limit", func(t *testing.T) {
		out := runAction(t, env, RotateKeys{}, "legacy")
		if out.Failed() != 0 || len(out.Secrets) != 1 {
			t.Fatalf("results: %+v", out.Results)
		}
		keys, _ := aws.ListAccessKeys(ctx, env.Account.IAM(), "legacy", false)
		if len(keys) != 2 {
			t.Fatalf("keys: %+v", keys)
		}
	})

	t.Run("a fully loaded backdoor user is removed, and a second run is already done", func(t *testing.T) {
		out := runAction(t, env, RemoveBackdoorUsers{}, "backdoor")
		if out.Failed() != 0 {
			t.Fatalf("results: %+v", out.Results)
		}
		if _, _, err := aws.UserParts(ctx, env.Account.IAM(), "backdoor"); !aws.IsNoSuchEntity(err) {
			t.Fatalf("backdoor still exists: %v", err)
		}
		again := runAction(t, env, RemoveBackdoorUsers{}, "backdoor")
		for _, r := range again.Results {
			if r.Status != StatusAlreadyDone {
				t.Fatalf("second run: %+v", again.Results)
			}
		}
	})
}

func runAction(t *testing.T, env *Env, a Action, selected ...string) *Outcome {
	t.Helper()
	ctx := context.Background()
	insp, err := a.Inspect(ctx, env, nil)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	plan, err := a.Plan(ctx, env, insp, selected)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	out, err := a.Apply(ctx, env, changesOf(env), plan, nil)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return out
}
