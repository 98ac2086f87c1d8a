package aws

import (
	"math"
	"math/rand/v2"
	"time"
)

// Retry policy. An incident is exactly when an account is throttled hardest (the attacker and the
// responders all call the APIs) and when a service is most likely to have a bad minute, and a scan
// that gives up on a region hides instances. Yet an on-call watching a spinner for ten minutes will
// kill it. So:
//   - a call that fails for a transient reason (throttling, a 5xx, a reset connection, an attempt
//     that timed out) is retried soon — after a wait drawn between nothing and 20 ms, growing by
//     half each retry up to 10 s — because most such failures are one bad answer among good ones,
//     and a second of idle backoff per call, on a path of hundreds of calls, is minutes;
//   - it keeps trying for 35 s of failures, so a 30-second outage is ridden out, and for two call
//     timeouts at least, so an attempt that got no answer is always tried once more;
//   - what protects the account from being hammered is not each call's backoff but the pacer
//     each service and region shares (throttle_pacer.go), and the breaker that gives up on a
//     service or region failing longer than that (circuit_breaker.go);
//   - the SDK's client-side retry quota is not used: it fails calls outright ("retry quota
//     exceeded") after a burst of throttling across many parallel workers, which is the normal
//     state of an incident.
const (
	// retryUnit is the policy's unit of time at the real clock. Options.RetryBase replaces it to
	// compress the whole policy (every wait, the window, the pacer's) for fault tests.
	retryUnit          = time.Second
	firstRetryWait     = 20 * time.Millisecond
	retryGrowth        = 1.5
	defaultMaxBackoff  = 10 * time.Second
	retryWindow        = 35 * time.Second
	defaultMaxAttempts = 60
)

// retryPolicy is the policy with its clock applied.
type retryPolicy struct {
	attempts int
	first    time.Duration
	max      time.Duration
	// window is how long a call keeps retrying, counted from its first failed attempt; it is also
	// how long a service or region must fail before the breaker gives up on it.
	window time.Duration
	// scale is the clock: 1 at the real clock, smaller in fault tests.
	scale float64
}

// policyOf applies Options to the defaults. RetryBase sets the clock (the unit's length); a
// MaxBackoff alone, as tests give it, scales the clock with it. The call timeout is not scaled.
func policyOf(opts Options) retryPolicy {
	scale := 1.0
	switch {
	case opts.RetryBase > 0:
		scale = float64(opts.RetryBase) / float64(retryUnit)
	case opts.MaxBackoff > 0 && opts.MaxBackoff < defaultMaxBackoff:
		scale = float64(opts.MaxBackoff) / float64(defaultMaxBackoff)
	}
	p := retryPolicy{attempts: opts.MaxAttempts, scale: scale,
		first: scaled(firstRetryWait, scale), max: scaled(defaultMaxBackoff, scale), window: scaled(retryWindow, scale)}
	timeout := opts.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	p.window = max(p.window, 2*timeout)
	if p.attempts <= 0 {
		p.attempts = defaultMaxAttempts
	}
	if opts.MaxBackoff > 0 {
		p.max = opts.MaxBackoff
	}
	return p
}

func scaled(d time.Duration, scale float64) time.Duration {
	return max(time.Duration(float64(d)*scale), time.Microsecond)
}

// ceiling is the longest wait before retry number n (1 for the first retry).
func (p retryPolicy) ceiling(n int) time.Duration {
	c := float64(p.first) * math.Pow(retryGrowth, float64(max(n-1, 0)))
	return min(time.Duration(c), p.max)
}

// wait draws the wait before retry n, anywhere up to its ceiling ("full jitter"), so workers
// throttled together do not come back together.
func (p retryPolicy) wait(n int) time.Duration {
	return time.Duration(rand.Int64N(int64(p.ceiling(n)) + 1))
}

// MinRetryWindow is how long the retry policy keeps trying one call that fails every attempt:
// the length of an outage it is sure to ride out.
func MinRetryWindow(opts Options) time.Duration { return policyOf(opts).window }
