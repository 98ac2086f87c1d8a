package aws

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

func TestThrottlingIsPacedPerClientAtTheRealClock(t *testing.T) {
	newRetryer := retryer(Options{})
	a, b := newRetryer(), newRetryer()
	if _, ok := a.(*retry.AdaptiveMode); !ok {
		t.Fatalf("the incident retryer is %T, want adaptive client-side rate limiting", a)
	}
	if a == b {
		t.Fatal("two clients share one rate limiter: one throttled region would slow every other")
	}
}
