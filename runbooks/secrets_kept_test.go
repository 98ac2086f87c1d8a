package runbooks

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/aws"
	"lockdown/steps"
)

// The operator's word that a secret is stored elsewhere, and a save to a file, are journaled with
// the key and never the secret; steps see them at once through their environment, and later runs
// through the journal directory.
func TestAKeptSecretIsJournaledByItsKeyAndSeenByTheSteps(t *testing.T) {
	contain := containAction()
	var seen map[string]bool
	contain.apply = func(env *steps.Env, _ *steps.Plan) (*steps.Outcome, error) {
		seen = env.SecretsKept()
		return &steps.Outcome{}, nil
	}
	tr := newTestRun(t, contain)
	if err := tr.SecretKept("contain", "AKIAEXAMPLENEWKEY001", SecretStoredElsewhere, ""); err != nil {
		t.Fatal(err)
	}
	if err := tr.SecretKept("contain", "AKIAEXAMPLENEWKEY002", SecretSavedToFile, "/tmp/new-keys.ini"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"} {
		if err := tr.SecretKept("contain", bad, SecretStoredElsewhere, ""); err == nil {
			t.Errorf("%q was journaled as a key", bad)
		}
	}
	entries := tr.entries(t, "contain", KindSecretKept)
	if len(entries) != 2 {
		t.Fatalf("journaled %d kept secrets, want 2", len(entries))
	}
	data, _ := json.Marshal(entries)
	if strings.Contains(string(data), "wJalrXUtnFEMI") || !strings.Contains(string(data), "/tmp/new-keys.ini") {
		t.Errorf("the entries: %s", data)
	}
	plan := tr.planned(t)
	if _, err := tr.Apply(context.Background(), "contain", plan, account, nil); err != nil {
		t.Fatal(err)
	}
	if !seen["AKIAEXAMPLENEWKEY001"] || !seen["AKIAEXAMPLENEWKEY002"] {
		t.Errorf("the step did not see the kept secrets: %v", seen)
	}
	if later := KeptSecrets(filepath.Dir(tr.journal.Path())); len(later) != 2 {
		t.Errorf("a later run reads %v from the journal directory", later)
	}
}

// A headless apply keeps each new secret in the secrets file before the key is journaled as made,
// and journals that it is kept.
func TestASecretTheSecretsFileKeptIsJournaledKept(t *testing.T) {
	var made aws.NewKey
	tr, _ := journaledRun(t, openTestJournal(t), func(steps.Secret) error { return nil }, func(ctx context.Context, env *steps.Env, changes aws.Changes) *steps.Outcome {
		var err error
		if made, _, err = changes.CreateKey(ctx, "alice", 0); err != nil {
			t.Errorf("create: %v", err)
		}
		return &steps.Outcome{}
	})
	if !KeptSecrets(filepath.Dir(tr.journal.Path()))[made.ID] {
		t.Fatalf("the kept secret of %s is not in the journal", made.ID)
	}
}
