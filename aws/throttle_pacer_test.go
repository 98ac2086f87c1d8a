package aws

import (
	"math/rand/v2"
	"testing"
	"time"
)

// throttler is a service's answer to one attempt: throttled or not.
type throttler func(now time.Time) bool

// tokenBucket throttles what exceeds rate per second (with a small burst), as AWS's API rate
// limits do: sending faster only earns more throttling.
func tokenBucket(rate float64) throttler {
	tokens, last := 10.0, time.Time{}
	return func(now time.Time) bool {
		if !last.IsZero() {
			tokens = min(10, tokens+rate*now.Sub(last).Seconds())
		}
		last = now
		if tokens < 1 {
			return true
		}
		tokens--
		return false
	}
}

// atRandom throttles a share of attempts whatever the rate: the account's budget spent by others.
func atRandom(share float64) throttler {
	dice := rand.New(rand.NewPCG(7, 7))
	return func(time.Time) bool { return dice.Float64() < share }
}

// drive sends demand attempts per second for d through the pacer's rate (simulated time), and
// returns the answers per second and the throttled share over the last quarter of the run.
func drive(p *pacer, clock *time.Time, demand float64, d time.Duration, service throttler) (answered, share float64) {
	const step = time.Millisecond
	credit := 0.0
	var lastAnswered, lastSent, lastThrottled int
	start := *clock
	for *clock = start; clock.Sub(start) < d; *clock = clock.Add(step) {
		rate := demand
		if p.limited {
			rate = min(demand, p.rate)
		}
		for credit += rate * step.Seconds(); credit >= 1; credit-- {
			throttled := service(*clock)
			p.record(*clock, !throttled, throttled)
			if clock.Sub(start) >= d*3/4 {
				lastSent++
				if throttled {
					lastThrottled++
				} else {
					lastAnswered++
				}
			}
		}
	}
	quarter := (d / 4).Seconds()
	return float64(lastAnswered) / quarter, float64(lastThrottled) / float64(max(lastSent, 1))
}

func newTestPacer() (*pacer, *time.Time) {
	clock := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	p := newPacer(CallKey{Service: "IAM"}, 1, func() time.Time { return clock })
	return p, &clock
}

func TestThrottlingCausedByLockdownsOwnRateSlowsItToTheServicesLimit(t *testing.T) {
	p, clock := newTestPacer()
	answered, share := drive(p, clock, 400, 2*time.Minute, tokenBucket(40))
	if !p.limited {
		t.Fatal("sending ten times the service's limit, the pacer never slowed down")
	}
	if share > 0.35 {
		t.Errorf("%.0f%% of attempts are still throttled at the end: the pacer did not find the service's rate", 100*share)
	}
	if answered < 0.75*40 {
		t.Errorf("%.1f answers a second, against the service's 40: the pacer slowed down too far", answered)
	}
}

func TestThrottlingThatDoesNotDependOnTheRateLeavesFullSpeed(t *testing.T) {
	for _, throttledShare := range []float64{0.2, 0.5} {
		p, clock := newTestPacer()
		answered, _ := drive(p, clock, 400, 2*time.Minute, atRandom(throttledShare))
		if want := 0.85 * 400 * (1 - throttledShare); answered < want {
			t.Errorf("%.0f%% throttled at random: %.0f answers a second, want at least %.0f: slowing down gained nothing and cost time",
				100*throttledShare, answered, want)
		}
	}
}

func TestAPacerWithoutThrottlingNeverHoldsAnAttempt(t *testing.T) {
	p, clock := newTestPacer()
	drive(p, clock, 400, 10*time.Second, atRandom(0))
	if p.limited {
		t.Fatalf("no attempt was throttled, yet the pacer limits the rate to %.1f/s", p.rate)
	}
}
