package steps

import (
	"context"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

// orgEnv is org-pivot's management account, signed as its responder.
func orgEnv(t *testing.T) *Env {
	t.Helper()
	o := simtest.StartOrganization(t, "org-pivot", drillStart)
	env := envOf(o.Account(t, aws.Options{Mode: Drill}))
	env.Since = o.Management().IncidentStart()
	return env
}

func TestContainmentNamesTheAccountOfAKeyThatIsNotThisAccounts(t *testing.T) {
	t.Parallel()
	env := orgEnv(t)
	for key, want := range map[string]string{
		"AKIAEXAMPLEORGBACK01": "belongs to account 400011110102 (acme-ml-sandbox) of organization o-acme0rg000",
		"ASIAEXAMPLEORGDS0001": "belongs to account 400011110101 (acme-data-science) of organization o-acme0rg000",
	} {
		env.Inputs["access_key_id"] = key
		_, err := ContainKey{}.Inspect(context.Background(), env, nil)
		if err == nil || !strings.Contains(err.Error(), "not a key of this account (400011112222)") || !strings.Contains(err.Error(), want) {
			t.Errorf("containing %s from the management account: %v\nwant it to say it %s", key, err, want)
		}
	}
}

func TestTheVerificationCannotPassALeakedKeyOfAnotherAccount(t *testing.T) {
	t.Parallel()
	env := orgEnv(t)
	c := checkLeakedKey(context.Background(), env, "AKIAEXAMPLEORGBACK01")
	if c.Result != VerifyUnknown || !strings.Contains(c.Evidence, "a key of account 400011110102, not of this account 400011112222") {
		t.Errorf("the member's key checked from the management account: %s, %q; want unknown, naming its account", c.Result, c.Evidence)
	}
}
