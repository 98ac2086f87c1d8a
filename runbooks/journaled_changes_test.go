package runbooks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"lockdown/aws"
	"lockdown/aws/sim/simtest"
	"lockdown/aws/wiretest"
	"lockdown/steps"
)

// journalAtCall is a transport that, for every change sent on the wire, reads the journal as it
// is on disk at that moment: the proof that each intent precedes its call.
type journalAtCall struct {
	path func() string
	mu   sync.Mutex
	// pending holds, per change sent, the ids of the changes pending in the journal when it went out.
	sent []sentChange
}

type sentChange struct {
	action  string
	pending []string
}

func (j *journalAtCall) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	if q := wiretest.Classify(req, body); q.Changes() {
		entries, _ := ReadJournal(j.path())
		var ids []string
		for _, p := range PendingChanges(entries) {
			ids = append(ids, p.Change.ID)
		}
		j.mu.Lock()
		j.sent = append(j.sent, sentChange{action: q.Action, pending: ids})
		j.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// journaledRun is a live run of the test runbook against the simulator, whose contain step's
// Apply is act, with the account's calls watched by wire.
func journaledRun(t *testing.T, j *Journal, keep func(steps.Secret) error, act func(ctx context.Context, env *steps.Env, changes aws.Changes) *steps.Outcome, faults ...wiretest.Rule) (testRun, *journalAtCall) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC))
	s.Watch(t).SetRules(faults...)
	wire := &journalAtCall{path: j.Path}
	id, secret := s.Server.ResponderCredentials()
	acct, err := aws.Open(context.Background(), aws.Options{Mode: steps.Live, ExpectedAccount: account, EndpointURL: s.URL,
		AccessKeyID: id, SecretAccessKey: secret, Region: "us-east-1", MaxBackoff: 20 * time.Millisecond,
		HTTPClient: &http.Client{Transport: wire}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	contain := containAction()
	contain.apply = func(env *steps.Env, _ *steps.Plan) (*steps.Outcome, error) {
		contain.mu.Lock()
		changes := contain.changes[len(contain.changes)-1]
		contain.mu.Unlock()
		return act(context.Background(), env, changes), nil
	}
	reg := steps.NewRegistry(&fakeAction{spec: steps.Spec{Name: "identity.confirm", ReadOnly: true}}, contain)
	rb, err := Parse("test.yaml", []byte(runYAML), reg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRun(Config{Runbook: rb, Registry: reg, Journal: j, Account: acct, Env: steps.Env{KeepSecret: keep}})
	if err != nil {
		t.Fatal(err)
	}
	tr := testRun{Run: r, journal: j, contain: contain}
	plan := tr.planned(t)
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	return tr, wire
}

func TestEveryCallOfAStepIsJournaledAsIntendedBeforeItIsSentAndSettledAfter(t *testing.T) {
	var keptWhilePending []string
	j := openTestJournal(t)
	kept := 0
	keep := func(s steps.Secret) error {
		kept++
		entries, _ := ReadJournal(j.Path())
		for _, p := range PendingChanges(entries) {
			keptWhilePending = append(keptWhilePending, p.Change.ID)
		}
		return nil
	}
	var newKey aws.NewKey
	var old []aws.AccessKey
	tr, wire := journaledRun(t, j, keep, func(ctx context.Context, env *steps.Env, changes aws.Changes) *steps.Outcome {
		old, _ = aws.ListAccessKeys(ctx, env.Account.IAM(), "alice", false)
		var err error
		if newKey, _, err = changes.CreateKey(ctx, "alice", 0); err != nil {
			t.Errorf("create: %v", err)
		}
		// The step hands the secret over too: it is kept once.
		if err := env.KeepSecret(steps.NewSecret("alice", newKey.ID, newKey.Secret())); err != nil {
			t.Error(err)
		}
		if _, err := changes.DeactivateKey(ctx, "alice", old[0].ID); err != nil {
			t.Errorf("deactivate: %v", err)
		}
		return &steps.Outcome{}
	})

	want := []sentChange{{"CreateAccessKey", []string{"create/alice"}}, {"UpdateAccessKey", []string{"deactivate/" + old[0].ID}}}
	if len(wire.sent) != 2 || wire.sent[0].action != want[0].action || !slices.Equal(wire.sent[0].pending, want[0].pending) ||
		wire.sent[1].action != want[1].action || !slices.Equal(wire.sent[1].pending, want[1].pending) {
		t.Errorf("each change on the wire, with what the journal held pending as it went out:\n got %+v\nwant %+v", wire.sent, want)
	}
	if kept != 1 || !slices.Equal(keptWhilePending, []string{"create/alice"}) {
		t.Errorf("the secret is kept once (%d), while the create is intended and not yet journaled as made (%v)", kept, keptWhilePending)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	if p := PendingChanges(entries); len(p) != 0 {
		t.Errorf("nothing is left pending: %+v", p)
	}
	var created Settlement
	for _, e := range entries {
		if e.Kind == KindSettled && field(e.Data, "change") == "create/alice" {
			created = Settlement{Outcome: CallOutcome(field(e.Data, "outcome")), Ref: field(e.Data, "ref")}
		}
		if e.Kind == KindIntent && field(field2(e.Data, "change"), "id") == "create/alice" {
			if before := stringList(e.Data.(map[string]any)["keys_before"]); !slices.Equal(before, []string{old[0].ID}) {
				t.Errorf("the create's intent names the keys alice had before: %v", before)
			}
		}
	}
	if created.Outcome != CallDone || created.Ref != newKey.ID {
		t.Errorf("the create is settled done with the new key's id: %+v (new key %s)", created, newKey.ID)
	}
	if own := CreatedKeys(filepath.Dir(tr.journal.Path())); !own[newKey.ID] {
		t.Errorf("a key journaled as made is lockdown's own, even without the step's result: %v", own)
	}
}

func TestACallWhoseAnswerIsLostIsJournaledUnknownAndStaysPending(t *testing.T) {
	var key string
	tr, wire := journaledRun(t, openTestJournal(t), nil, func(ctx context.Context, env *steps.Env, changes aws.Changes) *steps.Outcome {
		keys, err := aws.ListAccessKeys(ctx, env.Account.IAM(), "alice", false)
		if err != nil || len(keys) == 0 {
			t.Fatalf("alice's keys: %v %v", keys, err)
		}
		key = keys[0].ID
		ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		if _, err := changes.DeactivateKey(ctx, "alice", key); err == nil {
			t.Error("a call cut off by its deadline succeeded")
		}
		return &steps.Outcome{}
	}, wiretest.Rule{Action: "UpdateAccessKey", Fault: wiretest.Hang()})
	if len(wire.sent) != 1 {
		t.Fatalf("changes sent: %+v", wire.sent)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	p := PendingChanges(entries)
	if len(p) != 1 || p[0].Change.ID != "deactivate/"+key || p[0].Outcome != CallUnknown {
		t.Errorf("a call without an answer may or may not have been made, and a later run must read the account: %+v", p)
	}
}

func field2(data any, name string) any {
	m, _ := data.(map[string]any)
	return m[name]
}

func TestAKeyALostAnswerMadeIsNamedInTheJournalWithTheKeyThatReplacedIt(t *testing.T) {
	var made aws.NewKey
	tr, _ := journaledRun(t, openTestJournal(t), nil, func(ctx context.Context, env *steps.Env, changes aws.Changes) *steps.Outcome {
		var err error
		if made, _, err = changes.CreateKey(ctx, "alice", 0); err != nil {
			t.Errorf("create: %v", err)
		}
		return &steps.Outcome{}
	}, wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.DropAnswer(), Times: 1})
	if len(made.Orphans) != 1 {
		t.Fatalf("the lost answer's key: %+v", made.Orphans)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Kind == KindSettled && field(e.Data, "change") == "create/alice" {
			if orphans := stringList(e.Data.(map[string]any)["orphans"]); !slices.Equal(orphans, made.Orphans) || field(e.Data, "ref") != made.ID {
				t.Errorf("the settlement: %v", e.Data)
			}
			return
		}
	}
	t.Error("the create was never settled")
}
