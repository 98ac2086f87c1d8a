package wiretest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SilentRegion is the region the silent-region profiles never answer in: one where the drill
// account runs miners, so its changes are among those that must end unknown.
const SilentRegion = "eu-north-1"

// Profile is a named set of fault rules: the conditions an apply is measured under.
type Profile struct {
	Name  string
	Rules []Rule
}

// Profiles are the fault profiles the fault benchmarks and the fault proxy know, mildest first.
func Profiles() []Profile {
	return []Profile{
		{Name: "none"},
		{Name: "throttle-20", Rules: []Rule{{Fault: Throttle(), Rate: 0.2}}},
		{Name: "throttle-50", Rules: []Rule{{Fault: Throttle(), Rate: 0.5}}},
		{Name: "5xx-30", Rules: []Rule{{Fault: ServerError(500), Rate: 0.3}}},
		{Name: "5xx-bursts", Rules: []Rule{{Fault: ServerError(503), Burst: &Burst{On: 2 * time.Second, Every: 5 * time.Second}}}},
		{Name: "silent-region", Rules: []Rule{{Region: SilentRegion, Fault: Hang()}}},
		{Name: "throttle-50+silent-region", Rules: []Rule{{Region: SilentRegion, Fault: Hang()}, {Fault: Throttle(), Rate: 0.5}}},
	}
}

// ProfileNamed returns the rules of a profile by name.
func ProfileNamed(name string) ([]Rule, error) {
	i := slices.IndexFunc(Profiles(), func(p Profile) bool { return p.Name == name })
	if i < 0 {
		var names []string
		for _, p := range Profiles() {
			names = append(names, p.Name)
		}
		return nil, fmt.Errorf("no fault profile %q; there are %s", name, strings.Join(names, ", "))
	}
	return Profiles()[i].Rules, nil
}
