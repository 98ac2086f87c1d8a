// Package aws is everything in lockdown that talks to AWS: configuration and endpoints, the
// identity guard, per-region clients, and the EC2, IAM and STS operations the actions use.
package aws

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultRegion is the home region for IAM and STS when none is configured.
const DefaultRegion = "us-east-1"

// Options say how to reach the account.
type Options struct {
	Profile string
	// Region is the home region used for IAM, STS and DescribeRegions.
	Region string
	// EndpointURL points every client at one endpoint (the simulator, or moto). Empty means AWS,
	// or AWS_ENDPOINT_URL when set, as the SDK already honours it.
	EndpointURL string
	// AccessKeyID and SecretAccessKey, when set, replace the credential chain (drills and tests).
	AccessKeyID, SecretAccessKey string
	// Mode decides whether changes are allowed (the zero value is a dry run); ExpectedAccount limits
	// them to one account.
	Mode            Mode
	ExpectedAccount string
	// MaxAttempts, RetryBase (the policy's unit of time, a second at the real clock) and
	// MaxBackoff tune the retry policy; zero keeps lockdown's defaults (retry_policy.go). A small
	// RetryBase compresses the whole policy's clock: every wait, the retry window, the pacer's.
	MaxAttempts int
	RetryBase   time.Duration
	MaxBackoff  time.Duration
	// CallTimeout bounds each attempt of each call (zero: DefaultCallTimeout).
	CallTimeout time.Duration
	HTTPClient  *http.Client
	// LookupInterval spaces a region's CloudTrail lookups; zero keeps under AWS's 2 per second.
	LookupInterval time.Duration
	// ShareReads answers a read asked again by the same identity with the answer it received,
	// for a short while and until anything is changed (shared_reads.go): for commands that read
	// the account once through, not for the interface, which reads again on purpose.
	ShareReads bool
	// Log receives the SDK's own messages and the record of retries and give-ups (nil: nowhere
	// until UseLogger names the run's log). Never the operator's terminal.
	Log *slog.Logger
}

// Account holds the configuration for one AWS account and caches a client per region. It hands
// out only readers; changes come from Changes, which the guard decides.
type Account struct {
	guard  *Guard
	cfg    sdk.Config
	opts   Options
	stats  *CallStats
	policy *callPolicy
	// reads are the answers shared between a command's reads (nil: none are).
	reads *sharedReads

	mu sync.Mutex
	me Identity
	// simulation remembers why iam:SimulatePrincipalPolicy could not be used, once it could not:
	// every later check says "not checked" without asking again.
	simulation string
	ec2        map[string]*ec2.Client
	iam        *iam.Client
	sts        *sts.Client
	// trail holds the CloudTrail clients, each paced under LookupEvents' rate limit.
	trail trailClients
	// persistence holds the CloudTrail (trails) and GuardDuty clients of the persistence hunt.
	persistence persistenceClients
	// respawners holds the Auto Scaling clients, one per region.
	respawners map[string]*autoscaling.Client
	// analyzers holds the IAM Access Analyzer clients, one per region.
	analyzers map[string]*accessanalyzer.Client
}

// Open loads the configuration the way the AWS CLI does (profile, environment, shared files),
// applies lockdown's endpoint and retry policy, and returns an Account. It does not call AWS.
// With static credentials in opts (drills and tests) nothing is read from the environment or the
// shared files, so a stray AWS_PROFILE can neither break a drill nor lend it real credentials.
func Open(ctx context.Context, opts Options) (*Account, error) {
	log := newRunLog(opts.Log)
	var client sdk.HTTPClient
	switch {
	case opts.HTTPClient != nil:
		client = opts.HTTPClient
	case opts.EndpointURL != "":
		client = endpointClient()
	}
	var cfg sdk.Config
	if opts.AccessKeyID != "" {
		cfg = sdk.Config{
			Region:      opts.Region,
			Credentials: credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, ""),
		}
		if client != nil {
			cfg.HTTPClient = client
		}
	} else {
		var err error
		if cfg, err = loadShared(ctx, opts, client, log); err != nil {
			return nil, err
		}
	}
	// CloudTrail records the user agent: the trace knows lockdown's own reads by it.
	cfg.AppID = lockdownAppID
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	policy := newCallPolicy(opts, log)
	cfg.Retryer = func() sdk.Retryer { return incidentRetryer{policy: policy} }
	stats := &CallStats{}
	cfg.APIOptions = append(cfg.APIOptions, addCallMiddleware(opts.CallTimeout, stats, policy))
	cfg.Logger = sdkLogger{log: log}
	var reads *sharedReads
	if opts.ShareReads {
		reads = newSharedReads()
		cfg.APIOptions = append(cfg.APIOptions, reads.middleware())
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if opts.EndpointURL != "" {
		cfg.BaseEndpoint = sdk.String(opts.EndpointURL)
	}
	return &Account{
		guard:  newGuard(opts.Mode, opts.ExpectedAccount),
		cfg:    cfg,
		opts:   opts,
		stats:  stats,
		policy: policy,
		reads:  reads,
		ec2:    map[string]*ec2.Client{},
	}, nil
}

func loadShared(ctx context.Context, opts Options, client sdk.HTTPClient, log *runLog) (sdk.Config, error) {
	// The credential providers made here (instance metadata among them) keep this logger: their
	// warnings go to the run's log, not the operator's terminal.
	loaders := []func(*config.LoadOptions) error{config.WithLogger(sdkLogger{log: log})}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	if client != nil {
		loaders = append(loaders, config.WithHTTPClient(client))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return cfg, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// endpointIdleConnections is how many idle connections are kept to a custom endpoint. It serves
// every service of every region on one host, where the SDK's default of 10 per host would close
// and reopen connections all the time while the regions are read at once.
const endpointIdleConnections = 64

// endpointClient is the HTTP client for a custom endpoint, shared by every service's client. It
// is the SDK's own kind, which the configuration can still give a custom CA bundle
// (AWS_CA_BUNDLE, ca_bundle).
func endpointClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 2*endpointIdleConnections, endpointIdleConnections
	})
}

// Calls counts the calls this account made and their retries, per service and region.
func (a *Account) Calls() *CallStats { return a.stats }

// phaseBound is how long one phase made of a single call (confirming the identity, listing the
// regions) may take in all: four attempts' worth, which also covers the 30-second outage the
// retry policy rides out.
func (a *Account) phaseBound() time.Duration { return 4 * a.opts.CallTimeout }

// HomeRegion is the region used for IAM, STS and DescribeRegions.
func (a *Account) HomeRegion() string { return a.cfg.Region }

// Endpoint is the custom endpoint in use, or "" for AWS itself.
func (a *Account) Endpoint() string {
	if a.cfg.BaseEndpoint == nil {
		return ""
	}
	return *a.cfg.BaseEndpoint
}

// Guard is the account's guard, which nothing outside this package can replace or confirm.
func (a *Account) Guard() *Guard { return a.guard }

// Mode is the run's mode, as the guard holds it.
func (a *Account) Mode() Mode { return a.guard.Mode() }

// endpointOverride pins every client to the endpoint named in Options, so a service-specific
// AWS_ENDPOINT_URL_* variable can never send a drill's or test's calls elsewhere.
func (a *Account) endpointOverride() *string {
	if a.opts.EndpointURL == "" {
		return a.cfg.BaseEndpoint
	}
	return sdk.String(a.opts.EndpointURL)
}

// ec2Client returns the SDK's EC2 client for region, creating it once. It never leaves this
// package: readers get EC2, and changes go through the guard.
func (a *Account) ec2Client(region string) *ec2.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.ec2[region]
	if !ok {
		c = ec2.NewFromConfig(a.cfg, func(o *ec2.Options) {
			o.Region = region
			o.BaseEndpoint = a.endpointOverride()
		})
		a.ec2[region] = c
	}
	return c
}

// iamClient returns the SDK's IAM client (IAM is global; it is called in the home region).
func (a *Account) iamClient() *iam.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.iam == nil {
		a.iam = iam.NewFromConfig(a.cfg, func(o *iam.Options) { o.BaseEndpoint = a.endpointOverride() })
	}
	return a.iam
}

// stsClient returns the STS client for the home region.
func (a *Account) stsClient() *sts.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sts == nil {
		a.sts = sts.NewFromConfig(a.cfg, func(o *sts.Options) { o.BaseEndpoint = a.endpointOverride() })
	}
	return a.sts
}
