package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
)

// whose runs `lockdown whose ARGS` against url as the management account's responder.
func whoseOf(t *testing.T, o *simtest.Org, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runAsResponder(o.Management(), append(append([]string{"whose"}, args...), "--endpoint-url", o.URL), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestWhoseNamesTheManagementAccountOfItsOwnKeyAndWhatItReaches(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", time.Now().UTC())
	code, out, stderr := whoseOf(t, o, "AKIAEXAMPLEORGLEAK01")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"AKIAEXAMPLEORGLEAK01 belongs to account 400011112222 (acme-root)",
		"this account  yes",
		"o-acme0rg000: its MANAGEMENT ACCOUNT",
		"this key can reach every member account through OrganizationAccountAccessRole",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("whose of the management key does not say %q:\n%s", want, out)
		}
	}
}

func TestWhoseNamesAMemberAccountItsUnitAndThatItIsNotThisOne(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", time.Now().UTC())
	code, out, stderr := whoseOf(t, o, "akiaexampleorgback01", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Key, Account  string
		InThisAccount bool `json:"in_this_account"`
		Reach         string
		Organization  struct {
			ID, Name, Unit, Status string
			Management, Member     bool
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	org := doc.Organization
	if doc.Key != "AKIAEXAMPLEORGBACK01" || doc.Account != "400011110102" || doc.InThisAccount || doc.Reach != "" ||
		org.ID != "o-acme0rg000" || org.Name != "acme-ml-sandbox" || org.Unit != "Sandbox" || org.Status != "ACTIVE" || !org.Member || org.Management {
		t.Errorf("whose of a member's key: %+v", doc)
	}
}

func TestWhoseOfAnAccountOutsideAnyOrganizationSaysSo(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	var stdout, stderr bytes.Buffer
	code := runAsResponder(s.Server, []string{"whose", "AKIAEXAMPLELEAKED001", "--endpoint-url", s.URL}, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "belongs to account 111122223333") ||
		!strings.Contains(stdout.String(), "unknown: the asking account is in no organization") {
		t.Errorf("exit %d:\n%s%s", code, stdout.String(), stderr.String())
	}
}

func TestWhoseRefusesWhatIsNotAKeyIDBeforeAskingAWS(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"whose", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "--endpoint-url", "http://127.0.0.1:1"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "secret access key") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
