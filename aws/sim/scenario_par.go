package sim

import (
	"fmt"
	"time"
)

// ParSpec is how fast a practised on-call handles the scenario, each time measured from the
// briefing in the responder's time (at a faster pace the attacker's clock runs ahead of it). The
// drill's debrief scores the response against these; an empty one is not scored.
type ParSpec struct {
	// KeyInactive is the time to the leaked key's deactivation (or deletion).
	KeyInactive string `yaml:"key_inactive"`
	// InstancesTerminated is the time to the last of the attacker's instances terminated.
	InstancesTerminated string `yaml:"instances_terminated"`
	// Contained is the time to a verification that says the attacker is out.
	Contained string `yaml:"contained"`
}

// ParTimes are a scenario's par times, parsed; zero where the scenario gives none.
type ParTimes struct {
	KeyInactive, InstancesTerminated, Contained time.Duration
}

// Times parses the par times; the scenario was validated when it was loaded.
func (p ParSpec) Times() ParTimes {
	var out ParTimes
	out.KeyInactive, _ = parseParTime(p.KeyInactive)
	out.InstancesTerminated, _ = parseParTime(p.InstancesTerminated)
	out.Contained, _ = parseParTime(p.Contained)
	return out
}

func (p ParSpec) validate() error {
	for _, f := range []struct{ key, value string }{
		{"key_inactive", p.KeyInactive}, {"instances_terminated", p.InstancesTerminated}, {"contained", p.Contained},
	} {
		if _, err := parseParTime(f.value); err != nil {
			return fmt.Errorf("par.%s: %w", f.key, err)
		}
	}
	return nil
}

// parseParTime reads a positive duration such as 5m or 1h30m; empty is no par (zero).
func parseParTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 5m or 1h30m", s)
	}
	return d, nil
}
