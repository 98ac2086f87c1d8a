package steps

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
)

func TestInventoryFlagsExactlyWhatAppearedOrWasUsedAfterT0(t *testing.T) {
	d := startDrill(t, DryRun)
	insp, err := CredentialInventory{}.Inspect(context.Background(), d.env, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := insp.Data.(*KeysReport)
	got := map[string][]string{}
	for _, u := range rep.Users {
		got[u.Name] = u.Flags
		for i, k := range u.Keys {
			got[u.Name+"/key"+string(rune('1'+i))] = k.Flags
		}
	}
	want := map[string][]string{
		"alice": {FlagAdminPolicy}, "alice/key1": {},
		"billing-reports": {}, "billing-reports/key1": {}, "billing-reports/key2": {FlagKeyCreatedAfterT0, FlagKeyUsedAfterT0},
		"ci-deploy": {}, "ci-deploy/key1": {FlagKeyUsedAfterT0},
		"oncall-responder": {}, "oncall-responder/key1": {FlagKeyUsedAfterT0},
		"support-sync":      {FlagUserCreatedAfterT0, FlagPasswordCreatedAfterT0, FlagMFAEnabledAfterT0, FlagAdminPolicy},
		"support-sync/key1": {FlagKeyCreatedAfterT0, FlagKeyUsedAfterT0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("flags\n got %v\nwant %v", got, want)
	}
	if rep.Root.AccessKeysPresent || !rep.Root.MFAEnabled {
		t.Fatalf("root: %+v", rep.Root)
	}
	if m := d.wire.Changes(); len(m) != 0 {
		t.Fatalf("the inventory changed something: %+v", m)
	}
}

func TestKeysReportJSONHasTheDocumentedShape(t *testing.T) {
	d := startDrill(t, DryRun)
	rep, err := BuildKeysReport(context.Background(), d.env.Account, d.env.Since, 4)
	if err != nil {
		t.Fatal(err)
	}
	js := mustJSON(t, rep)
	for _, field := range []string{`"account":"111122223333"`, `"since":"2026-11-28T00:00:00Z"`, `"access_keys_present":false`,
		`"mfa_enabled":true`, `"password_last_used":`, `"has_console_password":true`, `"mfa_devices":[`, `"groups":["admins"]`,
		`"policies":[`, `"flags":[`, `"last_used":{"date":`, `"service":"ec2"`, `"region":"us-west-2"`} {
		if !strings.Contains(js, field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
}

func TestFlagsAreJudgedAgainstT0(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	before, later := t0.Add(-time.Hour), t0.Add(time.Hour)
	tests := []struct {
		name  string
		key   aws.AccessKey
		since time.Time
		want  []string
	}{
		{"an old key used long ago has no flag", aws.AccessKey{Created: before, LastUsed: aws.KeyUse{Date: before}}, t0, nil},
		{"a key created after T0 is flagged", aws.AccessKey{Created: later}, t0, []string{FlagKeyCreatedAfterT0}},
		{"an old key used after T0 is flagged", aws.AccessKey{Created: before, LastUsed: aws.KeyUse{Date: later}}, t0, []string{FlagKeyUsedAfterT0}},
		{"a key never used is not flagged as used", aws.AccessKey{Created: before}, t0, nil},
		{"without T0 nothing is flagged", aws.AccessKey{Created: later, LastUsed: aws.KeyUse{Date: later}}, time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KeyFlags(tt.key, tt.since); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdminLikePolicies(t *testing.T) {
	tests := []struct {
		name string
		p    aws.Policy
		want bool
	}{
		{"AdministratorAccess is admin", aws.Policy{Name: "AdministratorAccess", ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}, true},
		{"IAMFullAccess leads to admin", aws.Policy{ARN: "arn:aws:iam::aws:policy/IAMFullAccess"}, true},
		{"ReadOnlyAccess is not", aws.Policy{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}, false},
		{"an inline allow of everything is", aws.Policy{Inline: true, Document: `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}, true},
		{"an inline allow of iam:* is", aws.Policy{Inline: true, Document: `{"Statement":[{"Effect":"Allow","Action":["s3:Get*","iam:*"],"Resource":["*"]}]}`}, true},
		{"an inline deny of everything is not", aws.Policy{Inline: true, Document: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`}, false},
		{"an allow on one bucket is not", aws.Policy{Inline: true, Document: `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]}`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AdminLike(tt.p); got != tt.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}
