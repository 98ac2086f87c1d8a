package runbooks

import (
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lockdown/steps"
)

// NamedKey is a leaked access key id an incident's journal names: the operator gave it to a step
// (the containment, the verification).
type NamedKey struct {
	Key     string
	Journal string
	Step    string
	Time    time.Time
}

// LeakedKeysNamed returns, newest first, each leaked key id the journals in dir name for account,
// once, where it was named last. A journal that cannot be read whole still counts up to where it
// can.
func LeakedKeysNamed(dir, account string) []NamedKey {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	latest := map[string]NamedKey{}
	for _, path := range paths {
		entries, _ := readJournalShared(path)
		for _, e := range entries {
			if e.Kind != KindState || e.Account != account {
				continue
			}
			key := strings.ToUpper(strings.TrimSpace(field(dataAt(e.Data, "inputs"), "access_key_id")))
			if key == "" || steps.ValidateAccessKeyID(key) != nil {
				continue
			}
			if prev, ok := latest[key]; !ok || e.Time.After(prev.Time) {
				latest[key] = NamedKey{Key: key, Journal: path, Step: e.Step, Time: e.Time}
			}
		}
	}
	out := make([]NamedKey, 0, len(latest))
	for _, k := range latest {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// dataAt reads the value at name in a journal entry's data, whatever its type.
func dataAt(data any, name string) any {
	m, _ := data.(map[string]any)
	return m[name]
}

// leakedKeyLocked is the leaked key the operator gave the run: the input of the trace step, or
// else of any other step that asked for it (containment); "" when none did yet.
func (r *Run) leakedKeyLocked() string {
	key := ""
	for _, s := range r.cfg.Runbook.Steps {
		st := r.status[s.ID]
		if st == nil {
			continue
		}
		v := strings.ToUpper(strings.TrimSpace(st.Inputs["access_key_id"]))
		if v == "" {
			continue
		}
		if key == "" || s.Action == steps.TraceActionName {
			key = v
		}
	}
	return key
}
