package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/review"
)

const (
	simAccount   = "111122223333"
	simLeakedKey = "AKIAEXAMPLELEAKED001"
)

// simAccountForCLI serves the crypto-miner account on loopback with a stopped clock (the attacker
// acts only when a test moves it) and points the command line's credentials at it.
type simAccountForCLI struct {
	t       *testing.T
	srv     *sim.Server
	clock   *sim.ManualClock
	wire    *wiretest.Proxy
	url     string
	journal string
}

func startSimForCLI(t *testing.T) *simAccountForCLI {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	wire := s.Watch(t)
	return &simAccountForCLI{t: t, srv: s.Server, clock: s.Clock, wire: wire, url: s.URL, journal: t.TempDir()}
}

// lockdown runs the command line against the simulator and returns its exit code and stderr.
func (s *simAccountForCLI) lockdown(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	args = append(args, "--endpoint-url", s.url, "--journal", s.journal)
	code := runAsResponder(s.srv, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// plan writes a plan file with the leaked key and the scenario's T0, and reads it back.
func (s *simAccountForCLI) plan() (string, *review.PlanDocument) {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), "plan.json")
	code, _, stderr := s.lockdown("plan", "--key", simLeakedKey, "--since", s.srv.IncidentStart().Format(time.RFC3339), "-o", path)
	if code != exitOK {
		s.t.Fatalf("lockdown plan exited %d:\n%s", code, stderr)
	}
	doc, err := review.ReadPlanFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	return path, doc
}

// mutating returns the requests lockdown sent that could change the account, as seen on the wire
// between lockdown and the simulator (EC2 dry runs excluded); the simulated attacker's own calls
// never cross it.
func (s *simAccountForCLI) mutating() []wiretest.Request { return s.wire.Changes() }

// resetRequests forgets the requests seen so far, on the wire and in the simulator's log.
func (s *simAccountForCLI) resetRequests() {
	s.wire.Reset()
	s.srv.ResetRequests()
}

func (s *simAccountForCLI) iam() *iam.Client {
	id, secret := s.srv.ResponderCredentials()
	return iam.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(s.url),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

func (s *simAccountForCLI) ec2(region string) *ec2.Client {
	id, secret := s.srv.ResponderCredentials()
	return ec2.NewFromConfig(sdk.Config{Region: region, BaseEndpoint: sdk.String(s.url),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

// keyStatus reads a key's status the way an auditor would, through the API.
func (s *simAccountForCLI) keyStatus(user, keyID string) string {
	s.t.Helper()
	out, err := s.iam().ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: sdk.String(user)})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, k := range out.AccessKeyMetadata {
		if sdk.ToString(k.AccessKeyId) == keyID {
			return string(k.Status)
		}
	}
	return "absent"
}

// instanceStates maps every instance of the account to its state.
func (s *simAccountForCLI) instanceStates() map[string]string {
	states := map[string]string{}
	for _, in := range s.srv.EC2Instances("") {
		states[in.ID] = in.State
	}
	return states
}

// writePlan rewrites a plan file, as a test standing in for someone editing it.
func writePlan(t *testing.T, path string, doc *review.PlanDocument) {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// plannedChanges returns the plan's changes of one step.
func plannedStep(t *testing.T, doc *review.PlanDocument, id string) *review.PlanStep {
	t.Helper()
	ps, ok := doc.Step(id)
	if !ok {
		t.Fatalf("the plan has no step %q", id)
	}
	return ps
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
