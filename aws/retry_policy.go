package aws

import (
	"math/rand/v2"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Retry policy. An incident is exactly when an account is throttled hardest (the attacker and the
// responders all call the APIs) and when a service is most likely to have a bad minute, and a scan
// that gives up on a region hides instances. So:
//   - every transient failure (5xx, a reset connection, an attempt that timed out, throttling)
//     backs off from one second, doubling up to ten, with half of each wait jittered: the SDK's own
//     non-throttle backoff starts at 50 ms and gives up after one to three seconds;
//   - ten attempts wait at least 32.5 s in all, so a 30-second outage is ridden out;
//   - throttling also slows the client itself (adaptive mode): each client — one per service and
//     region — measures its throttled calls and paces its own sending rate;
//   - the client-side retry quota is off: it fails calls outright ("retry quota exceeded") after a
//     burst of throttling across many parallel workers, which is the normal state of an incident.
const (
	defaultMaxAttempts = 10
	defaultRetryBase   = time.Second
	defaultMaxBackoff  = 10 * time.Second
)

// incidentBackoff is exponential backoff with equal jitter: the wait before retry n is between
// half and all of min(base·2ⁿ⁻¹, max). Keeping the lower half fixed is what makes the total wait
// predictable enough to promise that an outage of a given length is ridden out.
type incidentBackoff struct {
	base, max time.Duration
}

func (b incidentBackoff) BackoffDelay(attempt int, _ error) (time.Duration, error) {
	return b.ceiling(attempt)/2 + time.Duration(rand.Int64N(int64(b.ceiling(attempt)/2)+1)), nil
}

// ceiling is the longest wait before retry number attempt (1 for the first retry).
func (b incidentBackoff) ceiling(attempt int) time.Duration {
	d := b.base
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// MinRetryWindow is the shortest time the retry policy keeps trying one call that fails every
// attempt, not counting the attempts themselves: the length of an outage it is sure to ride out.
func MinRetryWindow(opts Options) time.Duration {
	attempts, b := retrySettings(opts)
	var total time.Duration
	for n := 1; n < attempts; n++ {
		total += b.ceiling(n) / 2
	}
	return total
}

func retrySettings(opts Options) (int, incidentBackoff) {
	attempts := opts.MaxAttempts
	if attempts == 0 {
		attempts = defaultMaxAttempts
	}
	b := incidentBackoff{base: opts.RetryBase, max: opts.MaxBackoff}
	if b.base <= 0 {
		b.base = defaultRetryBase
	}
	if b.max <= 0 {
		b.max = b.base * (defaultMaxBackoff / defaultRetryBase)
	}
	return attempts, b
}

// retryer builds a fresh retryer for each client, so the adaptive rate limit is kept per service
// and region (each region has its own EC2 client). The adaptive limiter paces in real seconds and
// cannot be compressed, so a compressed clock (tests) keeps the backoff alone.
func retryer(opts Options) func() sdk.Retryer {
	attempts, backoff := retrySettings(opts)
	standard := func(so *retry.StandardOptions) {
		so.MaxAttempts = attempts
		so.MaxBackoff = backoff.max
		so.Backoff = backoff
		so.RateLimiter = ratelimit.None
	}
	compressed := backoff.base < defaultRetryBase || backoff.max < defaultRetryBase
	return func() sdk.Retryer {
		if compressed {
			return retry.NewStandard(standard)
		}
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
		})
	}
}
