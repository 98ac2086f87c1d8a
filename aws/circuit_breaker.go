package aws

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// breaker gives up on a service in a region, or on a whole region, that keeps failing: once
// nothing sent to it has been answered for the retry window (the outage the policy rides out),
// with several attempts failed, its calls are refused at once instead of each spending its own
// window one after another. After another window one call is let through to see whether it
// answers again; it closes the breaker if it does.
type breaker struct {
	key    CallKey
	window time.Duration

	mu sync.Mutex
	// failingSince is when the earliest attempt failing since the last answer was sent; failures
	// counts those attempts, and cause says how the last one failed.
	failingSince time.Time
	failures     int
	cause        string
	open         bool
	openedAt     time.Time
	probing      bool
}

// breakerFailures is the fewest failed attempts that can open a breaker: one slow attempt alone
// never gives up a region.
const breakerFailures = 2

// allow refuses a call while the breaker is open, but for one probe a window after it opened.
func (b *breaker) allow(now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return nil
	}
	if !b.probing && now.Sub(b.openedAt) >= b.window {
		b.probing = true
		return nil
	}
	return &UnreachableError{Service: b.key.Service, Region: b.key.Region, Since: b.failingSince, Failures: b.failures,
		Cause: b.cause, Retry: b.openedAt.Add(b.window)}
}

// record learns from an attempt that started at started and ended now; it returns the event to
// tell when the breaker opened or closed.
func (b *breaker) record(now, started time.Time, answered bool, cause string) (CallEvent, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if answered {
		wasOpen := b.open
		b.failingSince, b.failures, b.open, b.probing = time.Time{}, 0, false, false
		return CallEvent{Kind: EventAnswering, Service: b.key.Service, Region: b.key.Region, Cause: "a call was answered"}, wasOpen
	}
	if b.failures == 0 || started.Before(b.failingSince) {
		b.failingSince = started
	}
	b.failures++
	b.cause = cause
	switch {
	case b.probing:
		b.probing, b.openedAt = false, now
		return CallEvent{}, false
	case b.open || b.failures < breakerFailures || now.Sub(b.failingSince) < b.window:
		return CallEvent{}, false
	}
	b.open, b.openedAt = true, now
	e := &UnreachableError{Service: b.key.Service, Region: b.key.Region, Since: b.failingSince, Failures: b.failures, Cause: cause, Retry: now.Add(b.window)}
	return CallEvent{Kind: EventGivenUp, At: now, Service: b.key.Service, Region: b.key.Region, Cause: e.ErrorMessage()}, true
}

// UnreachableError is a call not sent because its service, or its whole region, has failed every
// attempt for longer than the retry policy rides out. Whatever it was to change is unchanged;
// whatever it was to read is unknown.
type UnreachableError struct {
	// Service is empty when the whole region is given up on; Region is empty for a global service.
	Service, Region string
	Since           time.Time
	Failures        int
	Cause           string
	// Retry is when one call will be let through to see whether it answers again.
	Retry time.Time
}

func (e *UnreachableError) what() string {
	switch {
	case e.Service == "":
		return "region " + e.Region
	case e.Region == "":
		return strings.ToLower(e.Service)
	}
	return strings.ToLower(e.Service) + " in " + e.Region
}

func (e *UnreachableError) Error() string { return e.ErrorMessage() }

// ErrorCode reads like an AWS error code in reports and scan results.
func (e *UnreachableError) ErrorCode() string { return "Unreachable" }
func (e *UnreachableError) ErrorMessage() string {
	how := "has failed every call"
	if strings.HasPrefix(e.Cause, "no answer") {
		how = "did not answer in time: nothing answered"
	}
	return fmt.Sprintf("%s %s since %s (%d attempts, the last: %s); given up on, its calls are not sent (tried again after %s)",
		e.what(), how, e.Since.Format("15:04:05"), e.Failures, e.Cause, e.Retry.Format("15:04:05"))
}
func (e *UnreachableError) ErrorFault() smithy.ErrorFault { return smithy.FaultUnknown }
func (e *UnreachableError) RetryableError() bool          { return false }

// httpStatus is the HTTP status of a failed attempt's answer, or 0 when none came.
func httpStatus(err error) int {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		return resp.HTTPStatusCode()
	}
	return 0
}

// lastWords is the innermost message of a chain of errors, without the SDK's wrapping.
func lastWords(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
