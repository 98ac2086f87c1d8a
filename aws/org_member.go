package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultOrgRole is the role Organizations creates in the member accounts it creates, an
// administrator trusted by the management account.
const DefaultOrgRole = "OrganizationAccountAccessRole"

// MemberOptions say how to enter a member account of the organization.
type MemberOptions struct {
	Account string
	// Role is the role to assume in it (default DefaultOrgRole); ExternalID, when the role's trust
	// asks for one.
	Role, ExternalID string
	// SessionName names lockdown's session in the member's CloudTrail: lockdown-<incident>.
	SessionName string
	// Gate bounds the member's calls in flight, with every other account's (nil: unbounded).
	Gate *CallGate
	// Credentials, when set, replace the role's (tests swap credentials under a running apply
	// this way); they are pinned to the member like the role's.
	Credentials sdk.CredentialsProvider
}

// AssumeMember enters a member account through its role: an Account whose calls are signed with
// the role's credentials, pinned to the member. Every credential it signs with is first confirmed
// by STS to be the member's (pinnedCredentials), and its guard allows changes in the member only,
// so neither a wrong role ARN nor credentials swapped under a running apply can change another
// account. It confirms the identity before returning: a role that cannot be assumed fails here,
// with AWS's reason.
func (a *Account) AssumeMember(ctx context.Context, opts MemberOptions) (*Account, Identity, error) {
	if opts.Role == "" {
		opts.Role = DefaultOrgRole
	}
	inner := opts.Credentials
	if inner == nil {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", opts.Account, opts.Role)
		inner = sdk.NewCredentialsCache(stscreds.NewAssumeRoleProvider(a.stsClient(), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = opts.SessionName
			if opts.ExternalID != "" {
				o.ExternalID = sdk.String(opts.ExternalID)
			}
		}))
	}
	pinned := &pinnedCredentials{inner: inner, account: opts.Account, identify: a.identifyCredentials, known: map[string]string{}}
	member := a.memberAccount(opts, pinned)
	id, err := member.confirmPinned(ctx, pinned)
	if err != nil {
		return nil, id, err
	}
	return member, id, nil
}

// confirmPinned confirms the account from what its pinned credentials learnt: STS already said
// whose they are before they could sign anything, so the identity needs only the account's alias.
func (a *Account) confirmPinned(ctx context.Context, p *pinnedCredentials) (Identity, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, a.phaseBound(), ErrIdentityTimeout)
	defer cancel()
	creds, err := p.Retrieve(ctx)
	if err != nil {
		if context.Cause(ctx) == ErrIdentityTimeout {
			err = fmt.Errorf("%w after %s: %w", ErrIdentityTimeout, a.phaseBound(), err)
		}
		return Identity{}, err
	}
	p.mu.Lock()
	id := Identity{Account: p.account, ARN: p.arn, UserID: p.userID, AccessKeyID: creds.AccessKeyID}
	p.mu.Unlock()
	if aliases, err := a.IAM().ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(aliases.AccountAliases) > 0 {
		id.Alias = aliases.AccountAliases[0]
	}
	a.guard.confirm(id.Account)
	a.mu.Lock()
	a.me = id
	a.mu.Unlock()
	return id, nil
}

// memberAccount is a copy of this account's configuration signing with creds, with its own call
// counts, guard (held to the member) and clients, and the organization's gate.
func (a *Account) memberAccount(opts MemberOptions, creds sdk.CredentialsProvider) *Account {
	cfg := a.cfg.Copy()
	cfg.Credentials = creds
	stats := &CallStats{}
	// A member's throttling and outages are its own: its own pacers and breakers, the run's log.
	policy := newCallPolicy(a.opts, a.policy.log)
	cfg.Retryer = func() sdk.Retryer { return incidentRetryer{policy: policy} }
	cfg.APIOptions = []func(*middlewareStack) error{addCallMiddleware(a.opts.CallTimeout, stats, policy)}
	if a.reads != nil {
		// One organization, one command: a change in any account forgets every answer.
		cfg.APIOptions = append(cfg.APIOptions, a.reads.middleware())
	}
	if opts.Gate != nil {
		cfg.APIOptions = append(cfg.APIOptions, opts.Gate.middleware(opts.Account))
		if cfg.HTTPClient == nil {
			cfg.HTTPClient = opts.Gate.httpClient()
		}
	}
	mopts := a.opts
	mopts.ExpectedAccount = opts.Account
	return &Account{guard: newGuard(a.guard.Mode(), opts.Account), cfg: cfg, opts: mopts, stats: stats, policy: policy, reads: a.reads, ec2: map[string]*ec2.Client{}}
}

// identifyCredentials asks STS, with those credentials alone, whose they are. It uses this
// account's configuration without the organization's gate: it runs while a gated call is being
// signed, and must not wait for a slot that call holds.
func (a *Account) identifyCredentials(ctx context.Context, creds sdk.Credentials) (account, arn, userID string, err error) {
	cfg := a.cfg.Copy()
	cfg.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	ctx, cancel := context.WithTimeout(ctx, a.phaseBound())
	defer cancel()
	out, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = a.endpointOverride() }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", "", fmt.Errorf("sts GetCallerIdentity: %w", err)
	}
	return sdk.ToString(out.Account), sdk.ToString(out.Arn), sdk.ToString(out.UserId), nil
}

// pinnedCredentials hands out credentials only once STS said they are the pinned account's: a
// credential of any other account fails the call it would sign, before anything is sent.
type pinnedCredentials struct {
	inner    sdk.CredentialsProvider
	account  string
	identify func(context.Context, sdk.Credentials) (account, arn, userID string, err error)

	mu    sync.Mutex
	known map[string]string // access key id → account, as STS said
	// arn and userID are who the credentials of the pinned account act as, as STS said.
	arn, userID string
}

// PinnedAccountError refuses credentials that belong to another account than the one the calls
// are for.
type PinnedAccountError struct {
	Pinned, Actual, AccessKeyID string
}

func (e *PinnedAccountError) Error() string {
	return fmt.Sprintf("refusing to sign for account %s with credentials of account %s (key %s): the calls are for account %s only",
		e.Pinned, e.Actual, e.AccessKeyID, e.Pinned)
}

// RetryableError says a refused credential is never retried: the next attempt would be refused
// the same way.
func (e *PinnedAccountError) RetryableError() bool { return false }

func (p *pinnedCredentials) Retrieve(ctx context.Context) (sdk.Credentials, error) {
	creds, err := p.inner.Retrieve(ctx)
	if err != nil {
		return sdk.Credentials{}, err
	}
	p.mu.Lock()
	account, ok := p.known[creds.AccessKeyID]
	p.mu.Unlock()
	if !ok {
		var arn, userID string
		if account, arn, userID, err = p.identify(ctx, creds); err != nil {
			return sdk.Credentials{}, fmt.Errorf("confirming whose credentials sign for account %s: %w", p.account, err)
		}
		p.mu.Lock()
		p.known[creds.AccessKeyID] = account
		if account == p.account {
			p.arn, p.userID = arn, userID
		}
		p.mu.Unlock()
	}
	if account != p.account {
		return sdk.Credentials{}, &PinnedAccountError{Pinned: p.account, Actual: account, AccessKeyID: creds.AccessKeyID}
	}
	return creds, nil
}

// IsCredentialsProvider keeps the SDK from caching pinned credentials behind the pin.
func (p *pinnedCredentials) IsCredentialsProvider(target sdk.CredentialsProvider) bool {
	_, isCache := target.(*sdk.CredentialsCache)
	return isCache
}

// CallGate bounds the calls in flight of every account of a sweep together (a global cap) and of
// each account (a per-account cap), so one large account cannot take every slot. It counts the
// most it held at once, which the benchmark reports.
type CallGate struct {
	global     chan struct{}
	perAccount int

	mu       sync.Mutex
	accounts map[string]chan struct{}
	inFlight int
	most     int
	client   *awshttp.BuildableClient
}

// NewCallGate returns a gate of global slots in all and perAccount for each account.
func NewCallGate(global, perAccount int) *CallGate {
	global, perAccount = max(global, 1), max(perAccount, 1)
	return &CallGate{global: make(chan struct{}, global), perAccount: min(perAccount, global), accounts: map[string]chan struct{}{}}
}

// MostInFlight is the most calls the gate let through at once.
func (g *CallGate) MostInFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.most
}

// PerAccount is the per-account cap.
func (g *CallGate) PerAccount() int { return g.perAccount }

// Global is the global cap.
func (g *CallGate) Global() int { return cap(g.global) }

// enter waits for the account's slot, then a global one; the order keeps an account that is
// already at its cap from holding global slots while it waits.
func (g *CallGate) enter(ctx context.Context, account string) (func(), error) {
	g.mu.Lock()
	own, ok := g.accounts[account]
	if !ok {
		own = make(chan struct{}, g.perAccount)
		g.accounts[account] = own
	}
	g.mu.Unlock()
	select {
	case own <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case g.global <- struct{}{}:
	case <-ctx.Done():
		<-own
		return nil, ctx.Err()
	}
	g.mu.Lock()
	g.inFlight++
	g.most = max(g.most, g.inFlight)
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
		<-g.global
		<-own
	}, nil
}

// httpClient is one HTTP client for every member account, keeping as many idle connections as
// calls may be in flight, so a sweep reuses connections instead of opening one per call.
func (g *CallGate) httpClient() *awshttp.BuildableClient {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.client == nil {
		g.client = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns, t.MaxIdleConnsPerHost = cap(g.global)*2, cap(g.global)
			t.IdleConnTimeout = 90 * time.Second
		})
	}
	return g.client
}

// Gated is this account again, its calls through the gate and its credentials pinned to it, for a
// sweep of the organization that includes the management account.
func (a *Account) Gated(ctx context.Context, gate *CallGate) (*Account, Identity, error) {
	account := a.guard.Account()
	if account == "" {
		id, err := a.WhoAmI(ctx)
		if err != nil {
			return nil, id, err
		}
		account = id.Account
	}
	opts := MemberOptions{Account: account, Gate: gate}
	pinned := &pinnedCredentials{inner: a.cfg.Credentials, account: account, identify: a.identifyCredentials, known: map[string]string{}}
	member := a.memberAccount(opts, pinned)
	id, err := member.confirmPinned(ctx, pinned)
	if err != nil {
		return nil, id, err
	}
	return member, id, nil
}

// renewOwnSession keeps lockdown in an account it entered through role after it revoked that
// role's older sessions: the revocation denies lockdown's own session too, so it assumes the role
// again and waits, a few seconds at most, until the new session is admitted (its issue time must
// reach the revocation's cutoff, a whole second). Accounts not entered through that role are left
// as they are.
func (a *Account) renewOwnSession(ctx context.Context, role string) {
	p, ok := a.cfg.Credentials.(*pinnedCredentials)
	if !ok {
		return
	}
	cache, ok := p.inner.(*sdk.CredentialsCache)
	arn := a.confirmedIdentity().ARN
	if !ok || !strings.Contains(arn, ":assumed-role/"+role+"/") {
		return
	}
	for try := 0; try < 8; try++ {
		cache.Invalidate()
		_, err := a.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdk.String(role), PolicyName: sdk.String(RevokeSessionsPolicy)})
		if code := ErrorCode(err); err == nil || (code != "AccessDenied" && code != "AccessDeniedException") {
			return
		}
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// ActingAs is the identity the account's calls act as, as STS last confirmed it (an ARN), or "".
func (r *ReadOnly) ActingAs() string { return r.a.confirmedIdentity().ARN }
