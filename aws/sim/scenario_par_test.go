package sim

import (
	"strings"
	"testing"
	"time"
)

func TestBuiltinScenariosHaveParTimes(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"crypto-miner", "persistence", "lingering-access"} {
		sc, err := LoadScenario(name)
		if err != nil {
			t.Fatal(err)
		}
		par := sc.Par.Times()
		if par.KeyInactive <= 0 || par.InstancesTerminated < par.KeyInactive || par.Contained < par.InstancesTerminated {
			t.Errorf("%s: par times %+v should be set and in the order of the response", name, par)
		}
	}
}

func TestParTimesAreParsedAndCheckedWhenTheScenarioLoads(t *testing.T) {
	t.Parallel()
	base := "name: x\naccount: {id: \"111122223333\"}\n"
	sc, err := ParseScenario("ok.yaml", []byte(base+"par: {key_inactive: 4m, contained: 1h30m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Par.Times(); got.KeyInactive != 4*time.Minute || got.InstancesTerminated != 0 || got.Contained != 90*time.Minute {
		t.Errorf("par times = %+v", got)
	}
	for _, bad := range []string{"par: {key_inactive: soon}\n", "par: {contained: -5m}\n", "par: {contained: 0s}\n"} {
		if _, err := ParseScenario("bad.yaml", []byte(base+bad)); err == nil || !strings.Contains(err.Error(), "par.") {
			t.Errorf("%q: error %v should name the par key", bad, err)
		}
	}
	if _, err := ParseScenario("typo.yaml", []byte(base+"par: {key_inactiv: 4m}\n")); err == nil {
		t.Error("an unknown par key should be refused")
	}
}
