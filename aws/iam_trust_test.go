package aws

import (
	"net/url"
	"reflect"
	"testing"
)

func TestExternalTrustNamesEveryoneOutsideTheAccount(t *testing.T) {
	const account = "111122223333"
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"this account's root is not external", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`, nil},
		{"a service is not external", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, nil},
		{"another account is external", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}`, []string{"arn:aws:iam::999988887777:root"}},
		{"a list of principals is read whole", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/ci","999988887777"]}}}`, []string{"999988887777"}},
		{"anyone is external", `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`, []string{"*"}},
		{"a deny grants nothing", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"999988887777"}}]}`, nil},
		{"an URL-encoded document is read too", url.QueryEscape(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999988887777"}}]}`), []string{"999988887777"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExternalTrust(tt.doc, account); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
