package aws

import (
	"reflect"
	"strings"
	"testing"
)

func TestTrustWithoutOutsideRemovesOnlyOtherAccounts(t *testing.T) {
	const account = "111122223333"
	tests := []struct {
		name, doc string
		removed   []string
		// kept must all still be in the result; gone must not.
		kept, gone []string
		empty      bool
	}{
		{"an outside account beside this account's role",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/ci","arn:aws:iam::999988887777:root"]},"Action":"sts:AssumeRole"}]}`,
			[]string{"arn:aws:iam::999988887777:root"}, []string{"arn:aws:iam::111122223333:role/ci", "2012-10-17"}, []string{"999988887777"}, false},
		{"a service and a federated provider stay beside a removed account",
			`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com","AWS":"999988887777"},"Action":"sts:AssumeRole"}]}`,
			[]string{"999988887777"}, []string{"ec2.amazonaws.com", "oidc-provider/token.actions.githubusercontent.com"}, []string{"999988887777"}, false},
		{"a statement left with no principal goes, the others stay",
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			[]string{"arn:aws:iam::999988887777:root"}, []string{"lambda.amazonaws.com"}, []string{"999988887777"}, false},
		{"anyone is outside", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}`,
			[]string{"*"}, []string{`"AWS":"111122223333"`}, []string{`"*"`}, false},
		{"only an outside account: nothing left", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole"}}`,
			[]string{"999988887777"}, nil, nil, true},
		{"a deny is never touched", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"999988887777"}},{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}]}`,
			nil, []string{"999988887777", "ec2.amazonaws.com"}, nil, false},
		{"only this account and services: unchanged", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"ec2.amazonaws.com"}}]}`,
			nil, []string{"arn:aws:iam::111122223333:root", "ec2.amazonaws.com"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after, removed, ok := TrustWithoutOutside(tt.doc, account)
			if !ok || !reflect.DeepEqual(removed, tt.removed) {
				t.Fatalf("removed %q (ok %v), want %q", removed, ok, tt.removed)
			}
			if (after == "") != tt.empty {
				t.Fatalf("after = %q, want empty %v", after, tt.empty)
			}
			for _, k := range tt.kept {
				if !strings.Contains(after, k) {
					t.Errorf("%q was removed: %s", k, after)
				}
			}
			for _, g := range tt.gone {
				if strings.Contains(after, g) {
					t.Errorf("%q is still trusted: %s", g, after)
				}
			}
			if len(removed) == 0 && !SameTrust(after, tt.doc) {
				t.Errorf("a policy with nothing outside was rewritten: %s", after)
			}
			if after != "" && len(ExternalTrust(after, account)) != 0 {
				t.Errorf("the result still trusts %q", ExternalTrust(after, account))
			}
		})
	}
}

func TestTrustWithoutOutsideLeavesAnUnreadablePolicyAlone(t *testing.T) {
	if _, _, ok := TrustWithoutOutside("{not json", "111122223333"); ok {
		t.Fatal("an unreadable trust policy was rewritten")
	}
}
