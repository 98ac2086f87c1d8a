package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
)

const leakedKey = "AKIAEXAMPLELEAKED001"

var drillStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// drill is the crypto-miner scenario served on loopback, with a stopped clock and an Env acting
// as the responder.
type drill struct {
	srv   *sim.Server
	clock *sim.ManualClock
	wire  *wiretest.Proxy
	env   *Env
	log   *bytes.Buffer
	sim   *simtest.Sim
}

func startDrill(t *testing.T, mode Mode) *drill {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", drillStart)
	wire := s.Watch(t)
	acct := s.Account(t, aws.Options{Mode: mode})
	var logBuf bytes.Buffer
	env := envOf(acct)
	env.Since, env.Now, env.Log = s.Server.IncidentStart(), s.Clock.Now, slog.New(slog.NewJSONHandler(&logBuf, nil))
	return &drill{srv: s.Server, clock: s.Clock, wire: wire, env: env, log: &logBuf}
}

// run inspects, plans the default (or given) selection and applies.
func (d *drill) run(t *testing.T, a Action, selected ...string) (*Inspection, *Plan, *Outcome) {
	t.Helper()
	ctx := context.Background()
	insp, err := a.Inspect(ctx, d.env, nil)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	if selected == nil {
		selected = insp.Table.SelectedIDs()
	}
	plan, err := a.Plan(ctx, d.env, insp, selected)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	out, err := a.Apply(ctx, d.env, changesOf(d.env), plan, nil)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return insp, plan, out
}

func statuses(out *Outcome) map[Status]int {
	m := map[Status]int{}
	for _, r := range out.Results {
		m[r.Status]++
	}
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// inspectOnly runs only Inspect of a read-only action inside the run helper.
type inspectOnly struct{ Action }

func (CredentialInventory) asPlannable() Action { return inspectOnly{CredentialInventory{}} }

func (inspectOnly) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return &Plan{}, nil
}

func (inspectOnly) Apply(context.Context, *Env, aws.Changes, *Plan, func(Progress)) (*Outcome, error) {
	return &Outcome{}, nil
}
