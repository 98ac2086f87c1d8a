package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// DefaultCallTimeout bounds one attempt of one AWS call. AWS answers in well under a second; an
// attempt still open after thirty is a connection that will never answer, and is retried.
const DefaultCallTimeout = 30 * time.Second

// CallTimeoutError is an attempt that got no answer within the call timeout. It is retried like a
// dropped connection (the outer context, not the attempt's, decides when to stop).
type CallTimeoutError struct {
	Operation string
	After     time.Duration
}

func (e *CallTimeoutError) Error() string {
	return fmt.Sprintf("%s: no answer within %s (--call-timeout)", e.Operation, e.After)
}

// ErrorCode makes the timeout read like an AWS error code in reports and scan results.
func (e *CallTimeoutError) ErrorCode() string    { return "Timeout" }
func (e *CallTimeoutError) ErrorMessage() string { return e.Error() }
func (e *CallTimeoutError) ErrorFault() int      { return 0 }
func (e *CallTimeoutError) Timeout() bool        { return true }
func (e *CallTimeoutError) RetryableError() bool { return true }
func (e *CallTimeoutError) Unwrap() error        { return context.DeadlineExceeded }

var errAttemptTimeout = errors.New("the attempt timed out")

// attemptDeadline gives each attempt (not each call: the retry loop sits outside it) its own
// deadline. It runs after the retry middleware, so the SDK's cancellation error for the attempt's
// context — which the retryer would take as the caller giving up — becomes a retryable timeout.
// It also ends a call's retries once the call has been failing for the policy's window.
type attemptDeadline struct {
	timeout time.Duration
	stats   *CallStats
	window  time.Duration
}

func (attemptDeadline) ID() string { return "lockdown.AttemptDeadline" }

func (m attemptDeadline) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	m.stats.attempt(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetRegion(ctx))
	c := callOf(ctx)
	started := time.Now()
	actx, cancel := context.WithTimeoutCause(ctx, m.timeout, errAttemptTimeout)
	defer cancel()
	out, md, err := next.HandleFinalize(actx, in)
	if err != nil && ctx.Err() == nil && context.Cause(actx) == errAttemptTimeout {
		err = &CallTimeoutError{Operation: awsmiddleware.GetOperationName(ctx), After: m.timeout}
	}
	if c != nil {
		c.attempts++
		err = c.failed(err, started, m.window)
	}
	return out, md, err
}

// failed notes a failed attempt of the call and, once the call has been failing for the whole
// window, makes its error final: the retry loop stops there.
func (c *call) failed(err error, started time.Time, window time.Duration) error {
	if err == nil {
		return nil
	}
	if c.failingSince.IsZero() {
		c.failingSince = started
	}
	if failing := time.Since(c.failingSince); failing >= window {
		return &StillFailingError{Err: err, Attempts: c.attempts, For: failing}
	}
	return err
}

// StillFailingError is a call that failed every attempt for the retry policy's whole window.
type StillFailingError struct {
	Err      error
	Attempts int
	For      time.Duration
}

func (e *StillFailingError) Error() string {
	return fmt.Sprintf("%v (still failing after %d attempts over %s)", e.Err, e.Attempts, e.For.Round(time.Millisecond))
}
func (e *StillFailingError) Unwrap() error { return e.Err }

// RetryableError is false: the window is spent, whatever the failure.
func (e *StillFailingError) RetryableError() bool { return false }

// callCounter counts calls as the caller makes them, before any retry, and starts following the
// call across its attempts.
type callCounter struct{ stats *CallStats }

func (callCounter) ID() string { return "lockdown.CallCounter" }

func (m callCounter) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	m.stats.call(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetRegion(ctx))
	ctx = context.WithValue(ctx, callKeyCtx{}, &call{key: keyOf(ctx), operation: awsmiddleware.GetOperationName(ctx)})
	out, md, err := next.HandleInitialize(ctx, in)
	return out, md, stoppedBy(ctx, err)
}

// stoppedBy names why a call was stopped when its context ended with a cause of its own (the
// apply's deadline): "context deadline exceeded" alone would not tell the operator or the journal.
func stoppedBy(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if cause == nil || cause == ctx.Err() || errors.Is(err, cause) {
		return err
	}
	return &StoppedError{Cause: cause, Err: err}
}

// StoppedError is a call its caller stopped, for Cause. It may have been carried out (its answer
// never came), or never sent.
type StoppedError struct{ Cause, Err error }

func (e *StoppedError) Error() string   { return fmt.Sprintf("%v: %v", e.Cause, e.Err) }
func (e *StoppedError) Unwrap() []error { return []error{e.Cause, e.Err} }

// CallStats counts the AWS calls a run made and the attempts they took, per service and region,
// so progress and reports can say how hard the account pushed back.
type CallStats struct {
	mu sync.Mutex
	by map[CallKey]*CallCount
}

// CallKey names a client: a service in a region.
type CallKey struct{ Service, Region string }

// CallCount is how many calls were made and how many attempts they took.
type CallCount struct {
	Calls, Attempts int
}

// Retries is the number of attempts beyond the first of each call.
func (c CallCount) Retries() int { return max(c.Attempts-c.Calls, 0) }

func (s *CallStats) call(service, region string)    { s.add(service, region, 1, 0) }
func (s *CallStats) attempt(service, region string) { s.add(service, region, 0, 1) }

func (s *CallStats) add(service, region string, calls, attempts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[CallKey]*CallCount{}
	}
	k := CallKey{service, region}
	c := s.by[k]
	if c == nil {
		c = &CallCount{}
		s.by[k] = c
	}
	c.Calls += calls
	c.Attempts += attempts
}

// Total adds up every service and region.
func (s *CallStats) Total() CallCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t CallCount
	for _, c := range s.by {
		t.Calls += c.Calls
		t.Attempts += c.Attempts
	}
	return t
}

// For is one service's count in one region (service as the SDK names it: "EC2", "IAM", "STS").
func (s *CallStats) For(service, region string) CallCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.by[CallKey{service, region}]; c != nil {
		return *c
	}
	return CallCount{}
}

// Keys lists the clients that made calls, sorted.
func (s *CallStats) Keys() []CallKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CallKey, 0, len(s.by))
	for k := range s.by {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Service < out[j].Service || out[i].Service == out[j].Service && out[i].Region < out[j].Region
	})
	return out
}
