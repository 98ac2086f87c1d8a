package runbooks

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws"
	"lockdown/steps"
)

// killedDuringCreate journals alice's new key as intended, then has AWS make it without the run
// hearing back, as when lockdown is killed while the answer travels. It returns the pending
// changes and the key AWS made.
func killedDuringCreate(t *testing.T, tr testRun) ([]PendingChange, string) {
	t.Helper()
	ctx := context.Background()
	before, err := aws.ListAccessKeys(ctx, tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	intendAliceKey(t, tr, before[0].ID)
	live, err := tr.cfg.Account.Changes()
	if err != nil {
		t.Fatal(err)
	}
	made, _, err := live.CreateKey(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(tr.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	return PendingChanges(entries), made.ID
}

// intendAliceKey journals a new key for alice as intended, alice having the key before, on the
// simulated account's clock (a drill's journal keeps it).
func intendAliceKey(t *testing.T, tr testRun, before string) {
	t.Helper()
	tr.journal.UseClock(func() time.Time { return simStart })
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	c := steps.Change{ID: "create/alice", Op: "iam:CreateAccessKey", Target: "alice", Summary: "create a new access key for alice"}
	if err := ledger.intend(c, []string{before}, tr.cfg.Account.ReadOnly().Confirmed().ARN); err != nil {
		t.Fatal(err)
	}
}

func settlementOfCreate(t *testing.T, tr testRun) map[string]any {
	t.Helper()
	entries, _ := ReadJournal(tr.journal.Path())
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind == KindSettled && field(e.Data, "change") == "create/alice" {
			return e.Data.(map[string]any)
		}
	}
	t.Fatal("the create was not settled")
	return nil
}

func TestAKeyALostAnswerMadeIsLockdownsWhenItsSecretIsKept(t *testing.T) {
	tr := newTestRun(t, containAction())
	pending, made := killedDuringCreate(t, tr)
	got := tr.Reconcile(context.Background(), pending, SecretRecords{Held: func(id string) bool { return id == made }})
	if len(got) != 1 || got[0].Outcome != CallDone {
		t.Fatalf("reconciled: %+v", got)
	}
	if s := settlementOfCreate(t, tr); field(s, "ref") != made {
		t.Errorf("the settlement names the key: %v", s)
	}
	keys, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if !slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == made }) {
		t.Errorf("lockdown's key whose secret is kept was deleted: %+v", keys)
	}
	if !CreatedKeys(dirOf(tr))[made] {
		t.Error("the reconciled key is not known as lockdown's own")
	}
}

func TestAKeyALostAnswerMadeWhoseSecretNobodyHoldsIsDeletedAndTheCreateFailed(t *testing.T) {
	tr := newTestRun(t, containAction())
	pending, made := killedDuringCreate(t, tr)
	got := tr.Reconcile(context.Background(), pending, SecretRecords{})
	if len(got) != 1 || got[0].Outcome != CallFailed {
		t.Fatalf("reconciled: %+v", got)
	}
	if s := settlementOfCreate(t, tr); !slices.Equal(stringList(s["orphans"]), []string{made}) || field(s, "ref") != "" {
		t.Errorf("the settlement names the deleted key and no new one: %v", s)
	}
	keys, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == made }) || len(keys) != 1 {
		t.Errorf("the key nobody holds the secret of is still there: %+v", keys)
	}
	if CreatedKeys(dirOf(tr))[made] {
		t.Error("a deleted orphan is taken for lockdown's own key")
	}
	entries, _ := ReadJournal(tr.journal.Path())
	if p := PendingChanges(entries); len(p) != 0 {
		t.Errorf("left pending: %+v", p)
	}
}

func dirOf(tr testRun) string { return filepath.Dir(tr.journal.Path()) }

// simStart is when the test account's clock stands.
var simStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

func TestACreateWhoseEarlierKeysWereNotRecordedDeletesNothingOnAGuess(t *testing.T) {
	tr := newTestRun(t, containAction())
	ledger, err := tr.Ledger("contain")
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Intend(steps.Change{ID: "create/alice", Op: "iam:CreateAccessKey", Target: "alice", Summary: "create a new access key for alice"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := ReadJournal(tr.journal.Path())
	before, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	got := tr.Reconcile(context.Background(), PendingChanges(entries), SecretRecords{})
	// alice's only key predates the call: no key of the call is there.
	if len(got) != 1 || got[0].Outcome != CallFailed {
		t.Errorf("reconciled: %+v", got)
	}
	if after, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false); len(after) != len(before) {
		t.Errorf("keys deleted on a guess: %+v, before %+v", after, before)
	}
}

// teammateCreatesKey has alice, an administrator, make herself a key with her own credentials, as
// a teammate might while lockdown is down.
func teammateCreatesKey(t *testing.T, tr testRun) string {
	t.Helper()
	ctx := context.Background()
	keys, err := aws.ListAccessKeys(ctx, tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	api := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: sdk.String(tr.cfg.Account.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(keys[0].ID, "alice's own secret", "")})
	out, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	return sdk.ToString(out.AccessKey.AccessKeyId)
}

func TestAKeyATeammateMadeWhileLockdownsCreateWentUnansweredIsLeftAloneAndReported(t *testing.T) {
	tr := newTestRun(t, containAction())
	ctx := context.Background()
	before, _ := aws.ListAccessKeys(ctx, tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	// lockdown's create never reached AWS; alice made a key of her own meanwhile.
	intendAliceKey(t, tr, before[0].ID)
	theirs := teammateCreatesKey(t, tr)
	entries, _ := ReadJournal(tr.journal.Path())
	got := tr.Reconcile(ctx, PendingChanges(entries), SecretRecords{})
	if len(got) != 1 || got[0].Outcome != CallFailed || !strings.Contains(got[0].Message, theirs+" was made by arn:aws:iam::111122223333:user/alice") {
		t.Fatalf("reconciled: %+v", got)
	}
	keys, _ := aws.ListAccessKeys(ctx, tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if !slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == theirs }) {
		t.Errorf("the teammate's key %s was deleted: %+v", theirs, keys)
	}
}

func TestAKeyWhoseSecretTheJournalSaysWasKeptIsNeverDeletedWhenItsFileMoved(t *testing.T) {
	tr := newTestRun(t, containAction())
	pending, made := killedDuringCreate(t, tr)
	// The secret was written to the apply's file before the kill; the file was moved since.
	if err := tr.SecretKept("contain", made, SecretSavedToFile, "/srv/incident/new-keys.ini"); err != nil {
		t.Fatal(err)
	}
	entries, _ := ReadJournal(tr.journal.Path())
	got := tr.Reconcile(context.Background(), pending, SecretRecords{Written: SecretsWritten(entries)})
	if len(got) != 1 || got[0].Outcome != CallDone || !strings.Contains(got[0].Message, "written to /srv/incident/new-keys.ini") {
		t.Fatalf("reconciled: %+v", got)
	}
	keys, _ := aws.ListAccessKeys(context.Background(), tr.cfg.Account.ReadOnly().IAM(), "alice", false)
	if !slices.ContainsFunc(keys, func(k aws.AccessKey) bool { return k.ID == made }) {
		t.Errorf("the key whose secret was kept was deleted: %+v", keys)
	}
}
