package runbooks

import (
	"fmt"
	"path/filepath"
	"strings"

	"lockdown/steps"
)

// KindSecretKept records that a new key's secret is kept where the operator said: written to a
// secrets file, or stored elsewhere on the operator's explicit word. It names the key, never the
// secret. An old key is switched off only once its replacement's secret is recorded kept.
const KindSecretKept = "secret-kept"

// How a secret was kept.
const (
	SecretSavedToFile     = "file"
	SecretStoredElsewhere = "elsewhere"
)

// secretKeptData is a kept secret as the journal holds it.
type secretKeptData struct {
	Key string `json:"key"`
	How string `json:"how"`
	// Path is the secrets file it was written to; empty when stored elsewhere.
	Path string `json:"path,omitempty"`
}

// SecretKept journals that the secret of the access key keyID, made by a step, is kept: how is
// SecretSavedToFile (with the file's path) or SecretStoredElsewhere (the operator's word).
func (r *Run) SecretKept(stepID, keyID, how, path string) error {
	if err := steps.ValidateAccessKeyID(keyID); err != nil {
		return fmt.Errorf("recording a kept secret: %w", err)
	}
	if how != SecretSavedToFile && how != SecretStoredElsewhere {
		return fmt.Errorf("recording the secret of %s: unknown way of keeping it %q", keyID, how)
	}
	r.mu.Lock()
	env := r.cfg.Env
	if st, err := r.lookup(stepID); err == nil {
		env = *r.env(st)
	}
	r.mu.Unlock()
	msg := "the secret of " + keyID + " is saved to " + path
	switch {
	case how == SecretSavedToFile && path == "":
		msg = "the secret of " + keyID + " is saved to the secrets file"
	case how == SecretStoredElsewhere:
		msg = "the secret of " + keyID + " is stored elsewhere, on the operator's word"
	}
	return r.record(r.entry(&env, stepID, KindSecretKept, msg, secretKeptData{Key: keyID, How: how, Path: path}))
}

// SecretKeptKey reads a journaled kept secret: the key whose secret is kept, and how; two empty
// strings for any other entry. A key created by a headless apply whose settlement says its secret
// went to the secrets file counts too (journals written before kept secrets had entries of their
// own).
func SecretKeptKey(e Entry) (key, how string) {
	switch e.Kind {
	case KindSecretKept:
		key, how = field(e.Data, "key"), field(e.Data, "how")
		if steps.ValidateAccessKeyID(key) != nil {
			return "", ""
		}
		return key, how
	case KindSettled:
		if _, key := CreatedKey(e); key != "" && strings.Contains(field(e.Data, "message"), "; its secret is kept") {
			return key, SecretSavedToFile
		}
	}
	return "", ""
}

// KeptSecrets returns the keys whose secrets the journals in dir record as kept. Journals that
// cannot be read are left out: a secret not known to be kept is treated as lost.
func KeptSecrets(dir string) map[string]bool {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	return keptSecretsIn(paths)
}

func keptSecretsIn(paths []string) map[string]bool {
	out := map[string]bool{}
	for _, path := range paths {
		entries, err := readJournalShared(path)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if key, _ := SecretKeptKey(e); key != "" {
				out[key] = true
			}
		}
	}
	return out
}

// keptSecrets are the kept secrets of this run's own journal and those the run's environment
// adds (the other journals of the journal directory).
func (r *Run) keptSecrets() map[string]bool {
	out := keptSecretsIn([]string{r.cfg.Journal.Path()})
	if r.cfg.Env.SecretsKept != nil {
		for key := range r.cfg.Env.SecretsKept() {
			out[key] = true
		}
	}
	return out
}

// ownKeys are the keys this run's journal records lockdown made, and those the run's environment
// adds (the other journals): a key the run itself made is never taken for the attacker's, even
// where no journal directory was given.
func (r *Run) ownKeys() map[string]bool {
	out := map[string]bool{}
	if entries, err := readJournalShared(r.cfg.Journal.Path()); err == nil {
		for _, e := range entries {
			if _, key := CreatedKey(e); key != "" {
				out[key] = true
			}
		}
	}
	if r.cfg.Env.OwnKeys != nil {
		for key := range r.cfg.Env.OwnKeys() {
			out[key] = true
		}
	}
	return out
}
