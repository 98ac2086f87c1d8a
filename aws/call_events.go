package aws

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CallEventKind says what happened to a service's calls.
type CallEventKind string

const (
	// EventRetry: a call failed for a transient reason and is retried after Wait.
	EventRetry CallEventKind = "retry"
	// EventSlowed: the service throttled enough that its calls are now paced at Rate per second.
	EventSlowed CallEventKind = "slowed"
	// EventResumed: pacing ended, the throttling was not lockdown's doing, or it stopped.
	EventResumed CallEventKind = "resumed"
	// EventGivenUp: the service (or the whole region) kept failing: its calls are no longer sent.
	EventGivenUp CallEventKind = "given-up"
	// EventAnswering: a service or region given up on answered again.
	EventAnswering CallEventKind = "answering"
)

// CallEvent is a retry, a wait or a decision about a service in a region, as it happens, so an
// operator watching a slow run sees why it is slow.
type CallEvent struct {
	Kind CallEventKind
	At   time.Time
	// Service and Region name the client ("ec2", "eu-north-1"); Region is empty for a service
	// given up on in every region and for IAM, which is global.
	Service, Region string
	Operation       string
	// Retry is the number of the retry about to be made (1 for the first); Wait the pause before it.
	Retry int
	Wait  time.Duration
	// Rate is the paced rate in calls per second (EventSlowed).
	Rate float64
	// Cause is what failed, in words: "throttled", "HTTP 503", "no answer within 30s".
	Cause string
}

// Where is the region, or the service where no region applies.
func (e CallEvent) Where() string {
	if e.Region == "" {
		return strings.ToLower(e.Service)
	}
	return e.Region
}

// String is the event as progress shows it: "eu-north-1: throttled, retry 3 in 1.6 s".
func (e CallEvent) String() string {
	switch e.Kind {
	case EventRetry:
		return fmt.Sprintf("%s: %s, retry %d in %s (%s %s)", e.Where(), e.Cause, e.Retry, seconds(e.Wait), strings.ToLower(e.Service), e.Operation)
	case EventSlowed:
		return fmt.Sprintf("%s: %s %s, slowed to %.1f calls/s", e.Where(), strings.ToLower(e.Service), e.Cause, e.Rate)
	case EventResumed:
		return fmt.Sprintf("%s: %s %s", e.Where(), strings.ToLower(e.Service), e.Cause)
	case EventGivenUp:
		return fmt.Sprintf("%s: GIVEN UP: %s", e.Where(), e.Cause)
	case EventAnswering:
		return fmt.Sprintf("%s: answering again (%s)", e.Where(), e.Cause)
	}
	return e.Where() + ": " + e.Cause
}

// seconds prints a wait the way people say it: "1.6 s", "40 ms".
func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

type observerKey struct{}

// WithCallObserver returns a context whose AWS calls report their retries, waits and give-ups to
// observe, besides any observer ctx already has. observe is called from the calling goroutines,
// concurrently; it must not block.
func WithCallObserver(ctx context.Context, observe func(CallEvent)) context.Context {
	if prior, ok := ctx.Value(observerKey{}).(func(CallEvent)); ok {
		inner := observe
		observe = func(e CallEvent) { prior(e); inner(e) }
	}
	return context.WithValue(ctx, observerKey{}, observe)
}

// tell reports e to ctx's observers and to the account's log.
func (p *callPolicy) tell(ctx context.Context, e CallEvent) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	p.log.event(e)
	if ctx == nil {
		return
	}
	if observe, ok := ctx.Value(observerKey{}).(func(CallEvent)); ok {
		observe(e)
	}
}
