package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
)

// Every rig serves its scenario from the same moment, so one plan per scenario, made once per
// test run, is every rig's plan: the ids, times and verdicts it was made from are the same in
// each rig's simulator.
var (
	rigStartOnce sync.Once
	rigStartAt   time.Time
	rigPlansMu   sync.Mutex
	rigPlans     = map[string]*rigPlan{}
)

type rigPlan struct {
	once sync.Once
	data []byte
	err  string
}

// rigStart is the moment every rig's simulator stands at.
func rigStart() time.Time {
	rigStartOnce.Do(func() { rigStartAt = time.Now().UTC().Truncate(time.Second) })
	return rigStartAt
}

// rigPlanFile writes scenario's plan, made with the leaked key and the keeps given, into dir.
func rigPlanFile(t *testing.T, scenario string, keeps []string, dir string) string {
	t.Helper()
	name := scenario + "|" + strings.Join(keeps, "|")
	rigPlansMu.Lock()
	p, ok := rigPlans[name]
	if !ok {
		p = &rigPlan{}
		rigPlans[name] = p
	}
	rigPlansMu.Unlock()
	p.once.Do(func() { p.data, p.err = makeRigPlan(t, scenario, keeps) })
	if p.err != "" {
		t.Fatal(p.err)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, p.data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// makeRigPlan plans scenario with the built binary against a simulator of its own.
func makeRigPlan(t *testing.T, scenario string, keeps []string) ([]byte, string) {
	s := simtest.Start(t, scenario, rigStart())
	id, secret := s.Server.ResponderCredentials()
	root, err := os.MkdirTemp("", "lockdown-rig-plan")
	if err != nil {
		return nil, err.Error()
	}
	defer os.RemoveAll(root)
	l := newSealedLockdown(t, s.URL, root, id, secret, "")
	path := filepath.Join(root, "plan.json")
	args := []string{"plan", "--key", s.Server.Scenario().Attacker.AccessKeyID, "--since", s.Server.IncidentStart().Format(time.RFC3339), "-o", path}
	for _, k := range keeps {
		args = append(args, "--keep", k)
	}
	if code := l.run(args...); code != exitOK {
		return nil, fmt.Sprintf("planning %s exited %d:\n%s", scenario, code, l.stderr.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err.Error()
	}
	return data, ""
}
