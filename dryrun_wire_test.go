package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

// wrongAccountID is an account no scenario uses: a live run that names it must change nothing.
const wrongAccountID = "000000000000"

// commandOnTheWire is the command line run in-process against one scenario of the simulator, every
// request of it recorded by a proxy in between, so the verdict comes from the wire and not from
// lockdown's or the simulator's own bookkeeping.
type commandOnTheWire struct {
	t       *testing.T
	sc      *sim.Scenario
	sim     *simtest.Sim
	wire    *wiretest.Proxy
	journal string
}

func startCommandOnTheWire(t *testing.T, scenario string) *commandOnTheWire {
	t.Helper()
	sc, err := sim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	s := simtest.Start(t, scenario, time.Now().UTC())
	wire := s.Watch(t)
	return &commandOnTheWire{t: t, sc: sc, sim: s, wire: wire, journal: t.TempDir()}
}

func (c *commandOnTheWire) lockdown(args ...string) (int, string) {
	var stdout, stderr bytes.Buffer
	code := runAsResponder(c.sim.Server, append(args, "--endpoint-url", c.sim.URL, "--journal", c.journal), &stdout, &stderr)
	return code, stderr.String()
}

// planArgs dry-run the whole runbook with the scenario's leaked key and T0, asking for --live to
// show that plan ignores it.
func (c *commandOnTheWire) planArgs(out string) []string {
	args := []string{"plan", "--live", "--since", c.sim.Server.IncidentStart().Format(time.RFC3339), "-o", out}
	if key := c.sc.Attacker.AccessKeyID; key != "" {
		args = append(args, "--key", key)
	}
	return args
}

// noChanges fails when anything but reads and EC2 dry runs crossed the wire since the last reset,
// or, when mustSend, when nothing did; it returns how many requests were checked.
func (c *commandOnTheWire) noChanges(what string, mustSend bool) int {
	c.t.Helper()
	reqs := c.wire.Requests()
	if changes := c.wire.Changes(); len(changes) > 0 {
		c.t.Errorf("%s sent %d requests that change the account:\n%s", what, len(changes), wiretest.Describe(changes))
	}
	if mustSend && len(reqs) == 0 {
		c.t.Errorf("%s sent no request at all: the recorder is not on the path", what)
	}
	c.wire.Reset()
	return len(reqs)
}

func TestDryRunCommandsSendNoChangeOnTheWireInEveryScenario(t *testing.T) {
	t.Parallel()
	for _, name := range simtest.SmallScenarios(t) {
		t.Run(name, func(t *testing.T) {
			c := startCommandOnTheWire(t, name)
			account := c.sc.Account.ID
			plan := filepath.Join(t.TempDir(), "plan.json")
			checked := map[string]int{}

			if code, stderr := c.lockdown(c.planArgs(plan)...); code != exitOK && code != exitPartial {
				t.Fatalf("plan exited %d:\n%s", code, stderr)
			}
			dryRuns := c.wire.DryRuns()
			checked["plan"] = c.noChanges("plan --live", true)
			if dryRuns == 0 {
				t.Error("plan proved no EC2 change with DryRun=true: the termination step was not exercised")
			}
			for _, args := range [][]string{{"scan", "--json"}, {"keys", "--json"}} {
				c.lockdown(args...)
				checked[args[0]] = c.noChanges(args[0], true)
			}
			code, stderr := c.lockdown("apply", plan, "--live", "--account", wrongAccountID, "--confirm", account,
				"--secrets-file", filepath.Join(t.TempDir(), "secrets"))
			if code == exitOK || !strings.Contains(stderr, "nothing was changed") {
				t.Errorf("a live apply with --account %s should be refused, exit %d:\n%s", wrongAccountID, code, stderr)
			}
			// Refused before the first request, so nothing at all may cross the wire.
			checked["apply --live, wrong --account"] = c.noChanges("apply --live --account "+wrongAccountID, false)
			t.Logf("requests checked on the wire in scenario %s: %v", name, checked)

			// The same recorder sees the changes of a live apply in the right account: the checks
			// above would fail if the protection were gone.
			c.lockdown("apply", plan, "--live", "--confirm", account, "--secrets-file", filepath.Join(t.TempDir(), "secrets2"))
			if len(c.wire.Changes()) == 0 {
				t.Error("a live apply in the right account sent no change the recorder could see")
			}
		})
	}
}
