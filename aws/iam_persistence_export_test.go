package aws

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// SeedIAM is the raw IAM client, for tests that build the account's IAM by hand.
func SeedIAM(a *Account) *iam.Client { return a.iamClient() }

// StartMotoUnpaced is StartMoto (live) without CloudTrail's lookup pacing, for tests whose steps
// look events up by name and would otherwise wait half a second per lookup.
func StartMotoUnpaced(t *testing.T) *Account {
	acct, _ := startMoto(t, true)
	acct.opts.LookupInterval = time.Millisecond
	return acct
}
