package sim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// PacedClock runs pace times faster than the clock under it, from the moment it was made: a drill
// at 10x lets the attacker do in three minutes what takes half an hour at 1x.
type PacedClock struct {
	under       Clock
	origin      time.Time
	pace        float64
	wallAtStart time.Time
}

// NewPacedClock starts a clock at under's current time, running pace times as fast.
func NewPacedClock(under Clock, pace float64) *PacedClock {
	now := under.Now()
	return &PacedClock{under: under, origin: now, pace: pace, wallAtStart: now}
}

// Now is the paced time.
func (c *PacedClock) Now() time.Time {
	elapsed := c.under.Now().Sub(c.wallAtStart)
	return c.origin.Add(time.Duration(float64(elapsed) * c.pace))
}

// Pace is how many times faster than real time the clock runs.
func (c *PacedClock) Pace() float64 { return c.pace }

// MaxPace bounds --pace: faster, a drill is over before anyone reads the briefing.
const MaxPace = 60

// ParsePace reads a pace such as 1x, 10x or 2.5x (the x may be left out).
func ParsePace(s string) (float64, error) {
	v := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "x")
	pace, err := strconv.ParseFloat(v, 64)
	if err != nil || pace <= 0 || math.IsNaN(pace) {
		return 0, fmt.Errorf("pace %q is not a speed such as 1x, 2.5x or 10x", s)
	}
	if pace < 1 || pace > MaxPace {
		return 0, fmt.Errorf("pace %q is out of range: from 1x (real time) to %dx", s, MaxPace)
	}
	return pace, nil
}

// FormatPace writes a pace the way --pace takes it: "1x", "10x", "2.5x".
func FormatPace(pace float64) string {
	return strconv.FormatFloat(pace, 'f', -1, 64) + "x"
}
