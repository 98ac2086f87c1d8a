package sim

import (
	"strings"
	"testing"
	"time"
)

func TestPacedClockRunsFasterFromItsStart(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	under := NewManualClock(start)
	c := NewPacedClock(under, 10)
	under.Advance(90 * time.Second)
	if got := c.Now().Sub(start); got != 15*time.Minute {
		t.Errorf("after 90s at 10x the clock moved %s, want 15m", got)
	}
}

func TestPaceIsReadAsOperatorsWriteIt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"1x": 1, "10x": 10, "2.5x": 2.5, "10": 10, " 10X ": 10} {
		if got, err := ParsePace(in); err != nil || got != want {
			t.Errorf("ParsePace(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, why := range map[string]string{"fast": "not a speed", "0x": "not a speed", "-2x": "not a speed",
		"0.5x": "out of range", "1000x": "out of range", "NaNx": "not a speed"} {
		if _, err := ParsePace(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParsePace(%q) error %v, want it to say %q", in, err, why)
		}
	}
	if FormatPace(10) != "10x" || FormatPace(2.5) != "2.5x" {
		t.Errorf("FormatPace: %s %s", FormatPace(10), FormatPace(2.5))
	}
}
