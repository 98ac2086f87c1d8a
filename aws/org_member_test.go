package aws_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
)

var orgStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// swappable hands out one credential until told to hand out another, as a credential chain that
// changes under a running command would.
type swappable struct {
	mu    sync.Mutex
	creds sdk.Credentials
}

func (s *swappable) Retrieve(context.Context) (sdk.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds, nil
}

func (s *swappable) swap(c sdk.Credentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds = c
}

func TestAMemberAccountSignsOnlyWithCredentialsOfThatAccount(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", orgStart)
	wire := o.Watch(t)
	mgmt := o.Account(t, aws.Options{Mode: aws.Live})
	const member = "400011110101"
	// The member's role credentials, obtained as lockdown would.
	id, secret := o.Management().ResponderCredentials()
	cfg := sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(o.URL), Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: sdk.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: sdk.String("lockdown-test")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	creds := &swappable{creds: sdk.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}}
	acct, who, err := mgmt.AssumeMember(context.Background(), aws.MemberOptions{Account: member, Credentials: creds})
	if err != nil || who.Account != member {
		t.Fatalf("entering the member: %v, %v", who, err)
	}
	if err := acct.Guard().AllowChange(); err != nil {
		t.Fatalf("the member, confirmed, live: %v", err)
	}
	// The credentials now are the management account's: nothing may be signed with them for
	// the member, though they are valid and the guard confirmed the member before.
	creds.swap(sdk.Credentials{AccessKeyID: id, SecretAccessKey: secret})
	wire.Reset()
	_, err = acct.ReadOnly().WhoAmI(context.Background())
	var pinned *aws.PinnedAccountError
	if !errors.As(err, &pinned) || pinned.Pinned != member || pinned.Actual != "400011112222" {
		t.Fatalf("a call signed after the swap: %v; want it refused as the management account's credentials", err)
	}
	for _, r := range wire.Requests() {
		if r.Action != "GetCallerIdentity" {
			t.Errorf("after the swap %s was sent; only STS's answer about the new credentials may be", r.Action)
		}
	}
	if n := len(wire.Requests()); n != 1 {
		t.Errorf("%d requests after the swap; want the one GetCallerIdentity that identifies the new credentials", n)
	}
}

func TestAMemberWhoseRoleCannotBeAssumedFailsWithAWSsReason(t *testing.T) {
	t.Parallel()
	o := simtest.StartOrganization(t, "org-pivot", orgStart)
	mgmt := o.Account(t, aws.Options{})
	_, _, err := mgmt.AssumeMember(context.Background(), aws.MemberOptions{Account: "400011110104", SessionName: "lockdown-t"})
	if aws.ErrorCode(err) != "AccessDenied" {
		t.Fatalf("entering the account without the role: %v; want AccessDenied", err)
	}
}

func TestTheGateHoldsTheGlobalAndPerAccountCaps(t *testing.T) {
	t.Parallel()
	gate := aws.NewCallGate(6, 2)
	var mu sync.Mutex
	inAll, most := 0, 0
	in, mostIn := map[string]int{}, map[string]int{}
	var wg sync.WaitGroup
	for i := range 60 {
		account := "a" // half the calls are one account's, queued first
		if i >= 30 {
			account = []string{"b", "c", "d", "e"}[i%4]
		}
		wg.Go(func() {
			leave, err := aws.EnterGate(context.Background(), gate, account)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inAll++
			in[account]++
			most, mostIn[account] = max(most, inAll), max(mostIn[account], in[account])
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inAll--
			in[account]--
			mu.Unlock()
			leave()
		})
	}
	wg.Wait()
	if most > 6 || gate.MostInFlight() > 6 {
		t.Errorf("%d calls in flight at once (gate says %d); the cap is 6", most, gate.MostInFlight())
	}
	for account, n := range mostIn {
		if n > 2 {
			t.Errorf("account %s had %d calls in flight at once; the cap is 2", account, n)
		}
	}
}

func TestALargeAccountCannotTakeEveryCall(t *testing.T) {
	t.Parallel()
	gate := aws.NewCallGate(4, 2)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 50 { // the large account queues fifty calls, each held until released
		wg.Go(func() {
			leave, err := aws.EnterGate(context.Background(), gate, "large")
			if err == nil {
				<-release
				leave()
			}
		})
	}
	defer func() { close(release); wg.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leave, err := aws.EnterGate(ctx, gate, "small")
	if err != nil {
		t.Fatalf("a small account's call waited behind the large account's queue: %v", err)
	}
	leave()
}
