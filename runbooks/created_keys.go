package runbooks

import (
	"path/filepath"
	"strings"

	"lockdown/steps"
)

// CreatedKey reads a journaled key creation: the settlement of a create that made a key whose
// secret was kept (its Ref), or the step's result, whose message names the key. Anything else
// gives two empty strings.
func CreatedKey(e Entry) (user, key string) {
	data, _ := e.Data.(map[string]any)
	if e.Kind == KindSettled {
		user, ok := strings.CutPrefix(field(data, "change"), "create/")
		ref := field(data, "ref")
		if !ok || CallOutcome(field(data, "outcome")) != CallDone || field(data, "code") == codeSecretNotKept || steps.ValidateAccessKeyID(ref) != nil {
			return "", ""
		}
		return user, ref
	}
	change, _ := data["change"].(string)
	status, _ := data["status"].(string)
	message, _ := data["message"].(string)
	user, ok := strings.CutPrefix(change, "create/")
	if e.Kind != KindApplied || !ok || status != string(steps.StatusApplied) {
		return "", ""
	}
	for _, word := range strings.Fields(message) {
		if steps.ValidateAccessKeyID(word) == nil {
			return user, word
		}
	}
	return "", ""
}

// CreatedKeys returns the ids of every access key lockdown created, read from the journals in
// dir: verification must not take lockdown's own rotation keys for the attacker's. Journals that
// cannot be read are left out.
func CreatedKeys(dir string) map[string]bool {
	out := map[string]bool{}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, path := range paths {
		entries, err := readJournalShared(path)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if _, key := CreatedKey(e); key != "" {
				out[key] = true
			}
		}
	}
	return out
}
