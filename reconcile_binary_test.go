package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/wiretest"
	"lockdown/runbooks"
)

// teammateCreatesKey has alice, an administrator, make a key for user with her own credentials,
// straight at the account, as a teammate would.
func (r *crashRig) teammateCreatesKey(user string) string {
	r.t.Helper()
	alice := r.keysOf("alice")
	api := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: sdk.String(r.direct),
		Credentials: credentials.NewStaticCredentialsProvider(alice[0], "alice's own secret", "")})
	out, err := api.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String(user)})
	if err != nil {
		r.t.Fatal(err)
	}
	return sdk.ToString(out.AccessKey.AccessKeyId)
}

func TestApplyingAgainLeavesTheKeyATeammateMadeWhileLockdownsCreateNeverReachedAWS(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	// The create never reaches AWS; lockdown is killed while it waits.
	r.wire.SetRules(wiretest.Rule{Action: "CreateAccessKey", Fault: wiretest.Hang()})
	r.killApply("secrets-1", func() bool { return len(r.wire.ChangesOf("CreateAccessKey")) > 0 })
	pending := runbooks.PendingChanges(r.killedJournal())
	if len(pending) != 1 || !strings.HasPrefix(pending[0].Change.ID, "create/") {
		t.Fatalf("the journal names the create as never settled: %+v", pending)
	}
	user := pending[0].Change.Target
	theirs := r.teammateCreatesKey(user)

	r.wire.SetRules()
	code, out := r.apply("secrets-2")
	t.Logf("apply again exited %d:\n%s", code, out)
	if !slices.Contains(r.keysOf(user), theirs) {
		t.Errorf("the teammate's key %s on %s was deleted", theirs, user)
	}
	if !strings.Contains(out, theirs+" was made by arn:aws:iam::"+simAccount+":user/alice") || !strings.Contains(out, "left alone") {
		t.Errorf("apply does not report the teammate's key as someone else's, left alone")
	}
	for _, q := range r.wire.ChangesOf("DeleteAccessKey") {
		if q.Params.Get("AccessKeyId") == theirs {
			t.Errorf("apply sent DeleteAccessKey for the teammate's key")
		}
	}
}

func TestAKeyWhoseSecretWasKeptIsNotDeletedWhenTheSecretsFileWasMovedAfterAKill(t *testing.T) {
	t.Parallel()
	r := newCrashRig(t)
	r.killApplyWhen("secrets-1", servedOK("DeleteAccessKey"))
	// Killed after the secret went to its file and before the create's answer was journaled:
	// the journal says the secret is kept, and nothing else of the create.
	path := r.killedJournalPath()
	var made, user string
	for _, e := range r.killedJournal() {
		if key, _ := runbooks.SecretKeptKey(e); key != "" && e.Kind == runbooks.KindSecretKept {
			made = key
		}
		if e.Kind == runbooks.KindIntent && strings.HasPrefix(field(e.Data, "change", "id"), "create/") {
			user = field(e.Data, "change", "target")
		}
	}
	if made == "" || user == "" {
		t.Fatal("the killed apply journaled no kept secret")
	}
	dropEntries(t, path, func(e runbooks.Entry) bool {
		return (e.Kind == runbooks.KindSettled || e.Kind == runbooks.KindApplied) && strings.HasPrefix(field(e.Data, "change"), "create/")
	})
	// The operator moved the secrets file into the team's store, as the README suggests.
	if err := os.Rename(filepath.Join(r.l.root, "secrets-1"), filepath.Join(r.l.root, "moved.ini")); err != nil {
		t.Fatal(err)
	}

	code, out := r.apply("secrets-2")
	t.Logf("apply again exited %d:\n%s", code, out)
	if !slices.Contains(r.keysOf(user), made) {
		t.Errorf("the key %s, whose secret the journal says was kept, was deleted from %s", made, user)
	}
	if !strings.Contains(out, "written to "+filepath.Join(r.l.root, "secrets-1")+", which no longer holds it") {
		t.Errorf("apply does not tell where the secret of %s was written", made)
	}
}

// killedJournalPath is the journal of the killed apply.
func (r *crashRig) killedJournalPath() string {
	r.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(r.l.root, "journal", "*-live*.jsonl"))
	if len(paths) != 1 {
		r.t.Fatalf("journals after the kill: %v", paths)
	}
	return paths[0]
}

// dropEntries rewrites a journal without the entries drop picks, as a run killed before writing
// them would have left it.
func dropEntries(t *testing.T, path string, drop func(runbooks.Entry) bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		var e runbooks.Entry
		if jsonUnmarshal(line, &e) == nil && drop(e) {
			continue
		}
		kept = append(kept, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}
