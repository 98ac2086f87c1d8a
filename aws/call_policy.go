package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// callPolicy is what every client of an account shares about its calls: the retry policy, a pacer
// per service and region, the breakers, and the log. One service's or region's trouble is decided
// once, for every call to it, instead of each call finding out on its own.
type callPolicy struct {
	retry retryPolicy
	log   *runLog
	// standard decides which errors are worth retrying (the SDK's list, plus lockdown's timeouts).
	standard *retry.Standard

	mu       sync.Mutex
	pacers   map[CallKey]*pacer
	breakers map[CallKey]*breaker
}

func newCallPolicy(opts Options, log *runLog) *callPolicy {
	return &callPolicy{retry: policyOf(opts), log: log, standard: retry.NewStandard(),
		pacers: map[CallKey]*pacer{}, breakers: map[CallKey]*breaker{}}
}

// globalServices are called in the home region but belong to none: their trouble says nothing
// about the region's other services.
var globalServices = map[string]bool{"IAM": true, "Organizations": true}

// keyOf names the client a call goes through, from the SDK's context.
func keyOf(ctx context.Context) CallKey {
	service := awsmiddleware.GetServiceID(ctx)
	if globalServices[service] {
		return CallKey{Service: service}
	}
	return CallKey{Service: service, Region: awsmiddleware.GetRegion(ctx)}
}

func (p *callPolicy) pacer(k CallKey) *pacer {
	p.mu.Lock()
	defer p.mu.Unlock()
	pc := p.pacers[k]
	if pc == nil {
		pc = newPacer(k, p.retry.scale, time.Now)
		p.pacers[k] = pc
	}
	return pc
}

// breakersFor returns the breakers a call to k goes through: the service's in its region, and
// the region's as a whole (a region that does not answer at all is given up on for every service).
func (p *callPolicy) breakersFor(k CallKey) []*breaker {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := []CallKey{k}
	if k.Region != "" {
		keys = append(keys, CallKey{Region: k.Region})
	}
	out := make([]*breaker, len(keys))
	for i, bk := range keys {
		b := p.breakers[bk]
		if b == nil {
			b = &breaker{key: bk, window: p.retry.window}
			p.breakers[bk] = b
		}
		out[i] = b
	}
	return out
}

// call is one call as the policy follows it across its attempts.
type call struct {
	key       CallKey
	operation string
	// attempts counts the attempts sent; failingSince is when the first failed one started.
	attempts     int
	failingSince time.Time
}

type callKeyCtx struct{}

func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKeyCtx{}).(*call)
	return c
}

// incidentRetryer is every client's retryer. The SDK's retry loop calls it around each attempt:
// before it (the breakers, then the pacer), after a failure (the wait and the event), and with the
// attempt's result (what the breakers and the pacer learn).
type incidentRetryer struct{ policy *callPolicy }

var _ sdk.RetryerV2 = incidentRetryer{}

func (r incidentRetryer) IsErrorRetryable(err error) bool {
	return r.policy.standard.IsErrorRetryable(err)
}
func (r incidentRetryer) MaxAttempts() int { return r.policy.retry.attempts }

// RetryDelay is nothing: the wait happens in GetRetryToken, the last point at which the call's
// context — its service, region and observers — is at hand before the SDK sleeps.
func (r incidentRetryer) RetryDelay(int, error) (time.Duration, error) { return 0, nil }

func (r incidentRetryer) GetInitialToken() func(error) error { return nopRelease }

// GetAttemptToken lets an attempt go once no breaker refuses it and its pacer has a slot for it.
func (r incidentRetryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	k := keyOf(ctx)
	breakers := r.policy.breakersFor(k)
	for _, b := range breakers {
		if err := b.allow(time.Now()); err != nil {
			return nil, err
		}
	}
	pc := r.policy.pacer(k)
	if awsmiddleware.GetOperationName(ctx) == "LookupEvents" {
		pc = nil // paced at AWS's published rate already (cloudtrail.go): slower gains nothing
	}
	if err := pc.wait(ctx); err != nil {
		return nil, err
	}
	started := time.Now()
	return func(err error) error {
		r.policy.learn(ctx, k, breakers, pc, started, err)
		return nil
	}, nil
}

// GetRetryToken waits before the retry of a failed attempt, and says so.
func (r incidentRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	n := 1
	op := awsmiddleware.GetOperationName(ctx)
	if c := callOf(ctx); c != nil {
		n = c.attempts
	}
	wait := r.policy.retry.wait(n)
	r.policy.tell(ctx, CallEvent{Kind: EventRetry, Service: keyOf(ctx).Service, Region: awsmiddleware.GetRegion(ctx),
		Operation: op, Retry: n, Wait: wait, Cause: failureCause(opErr)})
	if err := sleep(ctx, wait); err != nil {
		return nil, err
	}
	return nopRelease, nil
}

func nopRelease(error) error { return nil }

// learn tells the breakers and the pacer how an attempt ended.
func (p *callPolicy) learn(ctx context.Context, k CallKey, breakers []*breaker, pc *pacer, started time.Time, err error) {
	var unreachable *UnreachableError
	switch {
	case errors.As(err, &unreachable), err != nil && ctx.Err() != nil && !isAttemptTimeout(err):
		return // not sent, or the caller gave up: nothing was learnt about the service
	}
	now := time.Now()
	answered := answeredBy(err)
	for _, b := range breakers {
		// The region's breaker hears only whether anything answered at all: one service's 5xx
		// or throttling says nothing about the others, a region that gives no answer does.
		ok := answered
		if b.key.Service == "" {
			ok = err == nil || httpStatus(err) > 0
		}
		if e, changed := b.record(now, started, ok, failureCause(err)); changed {
			p.tell(ctx, e)
		}
	}
	if pc == nil {
		return
	}
	if e, changed := pc.record(now, answered, err != nil && isThrottle(err)); changed {
		p.tell(ctx, e)
	}
}

// answeredBy reports whether the service answered an attempt: it worked, or the service said no
// (a 4xx that is not throttling) — it is up, whatever it thinks of the request.
func answeredBy(err error) bool {
	if err == nil || notAnAWSAnswer(err) {
		return true
	}
	status := httpStatus(err)
	return status > 0 && status < 500 && !isThrottle(err)
}

// notAnAWSAnswer is an HTTP 500 whose body is no AWS error: an emulator's page for an operation it
// does not implement (moto's NotImplementedError). AWS answers its own 500s with an error code.
func notAnAWSAnswer(err error) bool {
	var notAWS *smithy.DeserializationError
	return httpStatus(err) == 500 && ErrorCode(err) == "" && errors.As(err, &notAWS)
}

func isAttemptTimeout(err error) bool {
	var timeout *CallTimeoutError
	return errors.As(err, &timeout)
}

// failureCause says in a few words why an attempt failed.
func failureCause(err error) string {
	var timeout *CallTimeoutError
	switch {
	case err == nil:
		return "answered"
	case isThrottle(err):
		return "throttled"
	case errors.As(err, &timeout):
		return fmt.Sprintf("no answer within %s", timeout.After)
	}
	if code := ErrorCode(err); code != "" {
		return code
	}
	if status := httpStatus(err); status > 0 {
		return fmt.Sprintf("HTTP %d", status)
	}
	return "no answer (" + lastWords(err) + ")"
}

// addCallMiddleware installs, on every client, the call counter that follows a call across its
// attempts, and the per-attempt deadline.
func addCallMiddleware(timeout time.Duration, stats *CallStats, policy *callPolicy) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if err := stack.Initialize.Add(callCounter{stats}, middleware.After); err != nil {
			return err
		}
		return stack.Finalize.Insert(attemptDeadline{timeout: timeout, stats: stats, window: policy.retry.window}, "Retry", middleware.After)
	}
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
