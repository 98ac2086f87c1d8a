package sim

import (
	"sync"
	"time"
)

// Clock is the simulator's time source. Tests inject a ManualClock; drills use the wall clock.
type Clock interface {
	Now() time.Time
}

// WallClock is real time.
type WallClock struct{}

// Now returns the current time.
func (WallClock) Now() time.Time { return time.Now().UTC() }

// ManualClock only moves when told to, so tests are repeatable.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock stopped at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t.UTC()} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
