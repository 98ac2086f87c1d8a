package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim"
	"lockdown/runbooks"
	"lockdown/steps"
)

// allFaults is every fault at once: a denied region, a region that never answers, answers lost
// after IAM acted, throttling of a fifth of all calls, 5xx bursts, and latency with a spike.
var allFaults = []sim.Fault{
	{Region: "eu-north-1", Service: "ec2", Deny: true},
	{Region: "ap-southeast-1", Service: "ec2", Hang: true},
	{Service: "iam", Action: "CreateAccessKey", LoseAnswer: "drop", Rate: 0.5},
	{Service: "iam", Action: "UpdateAccessKey", LoseAnswer: "error", Rate: 0.3},
	{Service: "iam", Action: "DeleteAccessKey", LoseAnswer: "drop", Rate: 0.3},
	{Throttle: 0.2},
	{Status: 503, Rate: 0.15},
	{Latency: "5ms"},
	{Region: "us-west-2", Latency: "100ms"},
}

func TestTheWholeRunbookAppliedLiveUnderEveryFaultAtOnceHandlesEachReachableItemOnceAndReportsTheRest(t *testing.T) {
	t.Parallel()
	s := startSimForCLI(t)
	path, doc := s.plan()
	terminations := plannedStep(t, doc, "terminate-instances").Changes
	rotatedBefore := map[string][]string{}
	for _, c := range plannedStep(t, doc, "rotate-keys").Changes {
		if c.Op == "iam:CreateAccessKey" {
			rotatedBefore[c.Target] = s.keyIDs(c.Target)
		}
	}
	if len(rotatedBefore) == 0 {
		t.Fatal("the plan rotates no key")
	}
	for _, f := range allFaults {
		if err := s.srv.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	s.resetRequests()
	secrets := filepath.Join(t.TempDir(), "secrets")
	code, _, stderr := s.lockdown("apply", path, "--live", "--confirm", simAccount, "--secrets-file", secrets,
		"--call-timeout", "1s", "--retry-base", "10ms")
	t.Logf("apply exited %d:\n%s", code, stderr)
	s.srv.ClearFaults()
	if code != exitPartial {
		t.Errorf("exit %d, want 3: regions could not be reached", code)
	}

	// Each reachable instance is terminated, by exactly one call that AWS answered; those in the
	// denied and the silent region are reported not applied, with the cause.
	acted := map[string]int{}
	statuses := map[int]int{}
	for _, q := range s.wire.Requests() {
		statuses[q.Status]++
	}
	t.Logf("on the wire: %d calls, by HTTP status (0: no answer) %v", len(s.wire.Requests()), statuses)
	for _, q := range s.wire.Requests() {
		if q.Action == "TerminateInstances" && !q.DryRun && q.Status == 200 {
			for k, v := range q.Params {
				if strings.HasPrefix(k, "InstanceId.") {
					acted[v[0]]++
				}
			}
		}
	}
	states := s.instanceStates()
	for _, c := range terminations {
		if c.Op != steps.OpTerminate {
			continue
		}
		switch c.Region {
		case "eu-north-1", "ap-southeast-1":
			if states[c.Target] != "running" || acted[c.Target] != 0 {
				t.Errorf("%s in the unreachable %s is %s after %d calls", c.Target, c.Region, states[c.Target], acted[c.Target])
			}
			if !strings.Contains(stderr, "NOT applied, unknown: ec2:TerminateInstances "+c.Target) {
				t.Errorf("%s in %s is not reported as not applied", c.Target, c.Region)
			}
		default:
			if states[c.Target] != "terminated" || acted[c.Target] != 1 {
				t.Errorf("%s in %s is %s after %d answered calls, want terminated by one", c.Target, c.Region, states[c.Target], acted[c.Target])
			}
		}
	}
	for region, cause := range map[string]string{"eu-north-1": "UnauthorizedOperation", "ap-southeast-1": "did not answer in time"} {
		if !slices.ContainsFunc(strings.Split(stderr, "\n"), func(line string) bool {
			return strings.Contains(line, "NOT applied, unknown") && strings.Contains(line, region) && strings.Contains(line, cause)
		}) {
			t.Errorf("the failures in %s do not name their cause (%s)", region, cause)
		}
	}

	// Each rotated user has at most one new key, whose secret is in the secrets file: lost
	// answers left no key that nobody holds. A rotation whose every try failed says so, with the
	// cause.
	kept, _ := os.ReadFile(secrets)
	for user, before := range rotatedBefore {
		var made []string
		for _, id := range s.keyIDs(user) {
			if !slices.Contains(before, id) {
				made = append(made, id)
			}
		}
		switch {
		case len(made) == 1 && strings.Contains(string(kept), "aws_access_key_id = "+made[0]):
		case len(made) == 0 && strings.Contains(stderr, "failed       create/"+user+" ") && strings.Contains(stderr, "rotate-keys: FAILED"):
		default:
			t.Errorf("%s has new keys %v; want one whose secret is kept, or none and the failure reported", user, made)
		}
	}

	// The journal is complete: no change was intended without being settled.
	entries := s.newestLiveJournal()
	orphans, intents := 0, 0
	for _, e := range entries {
		if e.Kind == runbooks.KindIntent {
			intents++
		}
		data, _ := e.Data.(map[string]any)
		list, _ := data["orphans"].([]any)
		for _, id := range list {
			// A key a lost answer made and lockdown deleted is named to the operator too.
			orphans++
			if !strings.Contains(stderr, id.(string)) {
				t.Errorf("the journal names %s, made by a lost answer and deleted, and apply's output does not", id)
			}
		}
	}
	t.Logf("keys made by lost answers and deleted: %d", orphans)
	if intents < len(terminations) {
		t.Errorf("%d changes journaled before their calls; the terminations alone are %d", intents, len(terminations))
	}
	for _, p := range runbooks.PendingChanges(entries) {
		if p.Outcome == "" {
			t.Errorf("intended and never settled: %+v", p)
		}
	}
	if code, _, _ := s.lockdown("report", s.newestLiveJournalPath()); code != exitPartial {
		t.Errorf("report exits %d for an incident with unreachable regions, want 3", code)
	}
}

func (s *simAccountForCLI) keyIDs(user string) []string { return keyIDsOf(s.t, s.iam(), user) }

// keyIDsOf lists a user's access key ids through the API, as an auditor would.
func keyIDsOf(t *testing.T, api *iam.Client, user string) []string {
	t.Helper()
	out, err := api.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: sdk.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, sdk.ToString(k.AccessKeyId))
	}
	return ids
}

func (s *simAccountForCLI) newestLiveJournalPath() string {
	s.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(s.journal, "*-live*.jsonl"))
	if len(paths) == 0 {
		s.t.Fatal("no live journal")
	}
	slices.Sort(paths)
	return paths[len(paths)-1]
}

func (s *simAccountForCLI) newestLiveJournal() []runbooks.Entry {
	s.t.Helper()
	entries, err := runbooks.ReadJournal(s.newestLiveJournalPath())
	if err != nil {
		s.t.Fatal(err)
	}
	return entries
}
