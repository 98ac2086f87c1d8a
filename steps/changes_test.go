package steps

import (
	"sync"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
)

// testAccounts remembers the account behind each test Env, so tests can hand Apply the changes the
// account's guard gives out, as the run does.
var testAccounts sync.Map

// envOf is an Env reading acct, with empty parameters and inputs.
func envOf(acct *aws.Account) *Env {
	ro := acct.ReadOnly()
	testAccounts.Store(ro, acct)
	return &Env{Account: ro, Params: Params{}, Inputs: map[string]string{}}
}

// changesOf is what the run hands Apply: the guard's changes, or a refusal with its reason.
func changesOf(env *Env) aws.Changes {
	acct, ok := testAccounts.Load(env.Account)
	if !ok {
		panic("changesOf: the env was not made by envOf")
	}
	ch, err := acct.(*aws.Account).Changes()
	if err != nil {
		return aws.Refused(err)
	}
	return ch
}

// sdkIAM is a raw IAM client for a test's own set-up (seeding moto, the attacker's moves), which
// lockdown's readers rightly cannot do.
func sdkIAM(endpoint, id, secret string) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: sdk.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}
