package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// Globals are the flags every command accepts.
type Globals struct {
	Profile     string        `help:"AWS profile from the shared config files." placeholder:"NAME"`
	Region      string        `help:"Home region for IAM, STS and DescribeRegions (default: from the profile, else us-east-1)." placeholder:"REGION"`
	EndpointURL string        `name:"endpoint-url" env:"AWS_ENDPOINT_URL" help:"Send every AWS call to this endpoint (a simulator or emulator)." placeholder:"URL"`
	Account     string        `help:"The compromised account's id: every live change in any other account is refused." placeholder:"ID"`
	Live        bool          `help:"Apply confirmed changes. Without it lockdown only inspects and plans (dry-run)."`
	Since       string        `help:"Incident start (T0): RFC 3339 time, or a duration before now such as 6h." placeholder:"T"`
	Runbook     string        `help:"Runbook file to follow instead of the built-in compromised-account runbook." type:"existingfile" placeholder:"FILE"`
	Journal     string        `help:"Directory for incident journals (default: the user's state directory)." placeholder:"DIR"`
	CallTimeout time.Duration `name:"call-timeout" default:"30s" help:"Give up on one attempt of an AWS call after this long (it is retried like a dropped connection)." placeholder:"D"`
	// RetryBase compresses the retry policy's clock (the first wait; every later one scales with
	// it) so fault tests of the real binary run in seconds. Not for operators.
	RetryBase time.Duration `name:"retry-base" hidden:"" help:"First retry wait (tests)."`
	// LookupInterval spaces a region's CloudTrail lookups more tightly than AWS's limit allows,
	// so tests against the simulator, which enforces no limit unless asked, trace in
	// milliseconds. Not for operators: against AWS it only earns throttling.
	LookupInterval time.Duration `name:"lookup-interval" hidden:"" env:"LOCKDOWN_TEST_LOOKUP_INTERVAL" help:"CloudTrail lookup spacing (tests)."`

	ctx            context.Context
	stdout, stderr io.Writer
	// resumeFrom is the incident the respond command continues, if any.
	resumeFrom *priorIncident
	// runbook is the runbook the command follows, read once (loadRunbook).
	runbook *runbooks.Runbook
	// skipRegions are regions plan and apply leave out (--skip-regions).
	skipRegions []string
	// keepSecret keeps a new secret before rotation switches the old key off (apply's secrets file).
	keepSecret func(steps.Secret) error
	// reviewed is when the plan being applied was made (apply), for steps.Env.Reviewed.
	reviewed time.Time
	// credentials, when set, replace the AWS credential chain. Only tests set them: commands run
	// in-process side by side, and the chain's environment is shared by the whole process.
	credentials staticCredentials
	// transport, when set, carries every request to AWS. Only tests set it: commands run
	// in-process have their requests recorded without a loopback proxy in between.
	transport http.RoundTripper
	// clock, in a drill, is the simulated account's: the steps and the journal keep its time.
	clock func() time.Time
	// command is the command being run ("scan", "sim serve"); log is its log file, opened on its
	// first line.
	command string
	log     *commandLog
	// organization, in a sweep of an organization, names its accounts (id → name) for each
	// account's run (cmd_org.go).
	organization map[string]string
	// memberCredentials, when set, says how each member account is entered instead of its role's
	// credentials. Only tests set it, to swap credentials under a running apply.
	memberCredentials func(account string) aws.MemberOptions
}

// staticCredentials are an access key pair given directly rather than found by the credential chain.
type staticCredentials struct{ accessKeyID, secretAccessKey string }

// validateAccountID checks --account before anything talks to AWS.
func (g *Globals) validateAccountID() error {
	if g.Account == "" {
		return nil
	}
	if len(g.Account) != 12 || strings.Trim(g.Account, "0123456789") != "" {
		return usageError("--account %q is not an AWS account id (12 digits)", g.Account)
	}
	return nil
}

// OpenAccount builds the AWS configuration from the flags for a command that reads the account
// once through: a read its steps ask again is answered once (aws.Options.ShareReads). It does not
// call AWS.
func (g *Globals) OpenAccount(ctx context.Context) (*aws.Account, error) {
	return g.openAccount(ctx, true)
}

// OpenInteractiveAccount is OpenAccount for the interface, where a step is inspected again to
// see the account as it is now: every read goes to AWS.
func (g *Globals) OpenInteractiveAccount(ctx context.Context) (*aws.Account, error) {
	return g.openAccount(ctx, false)
}

func (g *Globals) openAccount(ctx context.Context, shareReads bool) (*aws.Account, error) {
	if err := g.validateAccountID(); err != nil {
		return nil, err
	}
	var client *http.Client
	if g.transport != nil {
		client = &http.Client{Transport: g.transport}
	}
	return aws.Open(ctx, aws.Options{
		HTTPClient:      client,
		ShareReads:      shareReads,
		Profile:         g.Profile,
		Region:          g.Region,
		EndpointURL:     g.EndpointURL,
		Mode:            g.mode(),
		ExpectedAccount: g.Account,
		CallTimeout:     g.CallTimeout,
		RetryBase:       g.RetryBase,
		LookupInterval:  g.LookupInterval,
		AccessKeyID:     g.credentials.accessKeyID,
		SecretAccessKey: g.credentials.secretAccessKey,
		Log:             g.logger(),
	})
}

// mode is the run's mode from --live: the account's guard holds it, and everything else reads it
// from there.
func (g *Globals) mode() aws.Mode {
	if g.Live {
		return aws.Live
	}
	return aws.DryRun
}

// SinceTime resolves --since against now: the zero time when it is not set.
func (g *Globals) SinceTime(now time.Time) (time.Time, error) {
	return parseSince(g.Since, now)
}

func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.After(now) {
			return time.Time{}, usageError("--since %s is in the future", s)
		}
		return t.UTC(), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, usageError("--since %q is neither an RFC 3339 time (2026-11-28T03:00:00Z) nor a duration before now (6h, 90m)", s)
	}
	return now.Add(-d).UTC(), nil
}

// Context is the command's context, cancelled on interrupt.
func (g *Globals) Context() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

func (g *Globals) printf(format string, args ...any) {
	fmt.Fprintf(g.stdout, format, args...)
}

func (g *Globals) eprintf(format string, args ...any) {
	fmt.Fprintf(g.stderr, format, args...)
}

// readOnlyAccount resolves --since and opens the account for a command that never changes
// anything: the guard is built without --live, so even a bug could not send a change.
func (g *Globals) readOnlyAccount() (*aws.Account, time.Time, error) {
	since, err := g.SinceTime(time.Now())
	if err != nil {
		return nil, since, err
	}
	live := g.Live
	g.Live = false
	acct, err := g.OpenAccount(g.Context())
	g.Live = live
	return acct, since, err
}

// readOnlyAccountFor is readOnlyAccount for a command given the leaked key with --key: a
// malformed key is bad usage, refused before anything talks to AWS.
func (g *Globals) readOnlyAccountFor(key string) (*aws.Account, time.Time, error) {
	if key != "" {
		if err := steps.ValidateAccessKeyID(key); err != nil {
			return nil, time.Time{}, usageError("--key: %v", err)
		}
	}
	return g.readOnlyAccount()
}

// writeJSON prints v as one indented JSON document on stdout.
func (g *Globals) writeJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
