package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim"
)

const leakedKey = "AKIAEXAMPLELEAKED001"

var drillStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// drill is the crypto-miner scenario served on loopback, with a stopped clock and an Env acting
// as the responder.
type drill struct {
	srv   *sim.Server
	clock *sim.ManualClock
	env   *Env
	log   *bytes.Buffer
}

func startDrill(t *testing.T, mode Mode) *drill {
	t.Helper()
	sc, err := sim.LoadScenario("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	clock := sim.NewManualClock(drillStart)
	srv, err := sim.New(sc, sim.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	l, err := sim.Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	// Closing the client's idle connections first lets the listener shut down at once instead of
	// waiting out a connection the transport dialled but never used.
	// The simulator is plain HTTP on loopback: a CA bundle from the environment has no use here and
	// would stop the SDK from accepting a custom client.
	t.Setenv("AWS_CA_BUNDLE", "")
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	id, secret := srv.ResponderCredentials()
	acct, err := aws.Open(context.Background(), aws.Options{EndpointURL: l.URL, AccessKeyID: id, SecretAccessKey: secret,
		Live: mode.Changes(), MaxBackoff: 20 * time.Millisecond, Region: "us-east-1", HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	env := &Env{Account: acct, Mode: mode, Since: srv.IncidentStart(), Params: Params{}, Inputs: map[string]string{},
		Now: clock.Now, Log: slog.New(slog.NewJSONHandler(&logBuf, nil))}
	return &drill{srv: srv, clock: clock, env: env, log: &logBuf}
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
	out, err := a.Apply(ctx, d.env, plan, nil)
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

func mutatingRequests(srv *sim.Server) []sim.Request {
	var out []sim.Request
	for _, r := range srv.Requests() {
		if r.Mutating && !r.Attacker {
			out = append(out, r)
		}
	}
	return out
}

// inspectOnly runs only Inspect of a read-only action inside the run helper.
type inspectOnly struct{ Action }

func (CredentialInventory) asPlannable() Action { return inspectOnly{CredentialInventory{}} }

func (inspectOnly) Plan(context.Context, *Env, *Inspection, []string) (*Plan, error) {
	return &Plan{}, nil
}

func (inspectOnly) Apply(context.Context, *Env, *Plan, func(Progress)) (*Outcome, error) {
	return &Outcome{}, nil
}
