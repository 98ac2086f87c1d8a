package aws

import (
	"context"
	"testing"
	"time"

	"lockdown/aws/moto"
)

// startMoto runs moto_server for one test and returns an Account pointed at it, signed with
// dummy static credentials (moto routes unsigned requests wrongly).
func startMoto(t *testing.T, live bool) (*Account, string) {
	t.Helper()
	url := moto.Start(t)
	acct, err := Open(context.Background(), Options{
		Region:          DefaultRegion,
		EndpointURL:     url,
		AccessKeyID:     "AKIAEXAMPLEMOTOTEST0",
		SecretAccessKey: "moto-test-secret",
		Mode:            modeOf(live),
		MaxBackoff:      50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return acct, url
}

func TestWhoAmIAgainstMoto(t *testing.T) {
	acct, _ := startMoto(t, false)
	id, err := acct.WhoAmI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "123456789012" || acct.Guard().Account() != "123456789012" {
		t.Fatalf("identity %+v, guard %q", id, acct.Guard().Account())
	}
}
