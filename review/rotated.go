package review

import (
	"path/filepath"
	"slices"
	"strings"

	"lockdown/aws"
	"lockdown/runbooks"
	"lockdown/steps"
)

// rotateAction is the action whose keys a repeated apply must recognise as its own.
const rotateAction = "iam.rotate-keys"

// appliedNote marks a journal as an apply of one plan, so a later apply of the same plan can
// find the keys it created.
func appliedNote(digest string) string { return "applying the reviewed plan " + digest }

// earlierKeys returns, per step and user, the access keys that earlier applies of this plan
// created, read from their journals in dir. Without them, applying the same plan again would take
// lockdown's own new key for one nobody reviewed, and plan to rotate it away.
func earlierKeys(dir, digest string) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, path := range paths {
		entries, err := runbooks.ReadJournal(path)
		if err != nil || !slices.ContainsFunc(entries, func(e runbooks.Entry) bool {
			return e.Kind == runbooks.KindNote && e.Message == appliedNote(digest)
		}) {
			continue
		}
		for _, e := range entries {
			user, key := runbooks.CreatedKey(e)
			if key == "" {
				continue
			}
			if out[e.Step] == nil {
				out[e.Step] = map[string][]string{}
			}
			// Its settlement and the step's result both name a key: it is listed once.
			if !slices.Contains(out[e.Step][user], key) {
				out[e.Step][user] = append(out[e.Step][user], key)
			}
		}
	}
	return out
}

// dropRotated takes out of a rotation's selection the users whose reviewed rotation an earlier
// apply of this plan finished: lockdown's new key is there and active, and every old key the
// review deactivates is inactive or gone. What is only half done stays, and shows as drift.
func (a *applier) dropRotated(ps *PlanStep, found *steps.Inspection, selection []string) []string {
	own := a.earlier[ps.Step]
	rep, ok := found.Data.(*steps.KeysReport)
	if ps.Action != rotateAction || len(own) == 0 || !ok {
		return selection
	}
	keys := map[string]string{}
	for _, u := range rep.Users {
		for _, k := range u.Keys {
			keys[u.Name+"/"+k.ID] = k.Status
		}
	}
	var out []string
	for _, user := range selection {
		done := slices.ContainsFunc(own[user], func(id string) bool { return keys[user+"/"+id] == aws.KeyActive })
		for _, c := range ps.Changes {
			old, isDeactivation := strings.CutPrefix(c.ID, "deactivate/")
			if c.Target == user && isDeactivation && keys[user+"/"+old] == aws.KeyActive {
				done = false
			}
		}
		if done {
			a.printf("      = already done:        %s was rotated by an earlier apply of this plan (its new key: %s)\n", user, strings.Join(own[user], ", "))
			continue
		}
		out = append(out, user)
	}
	return out
}

// changesMade lists, per step, the changes the journals' steps reported applied or already done.
func changesMade(entries []runbooks.Entry) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, e := range entries {
		data, _ := e.Data.(map[string]any)
		status, _ := data["status"].(string)
		change, _ := data["change"].(string)
		if e.Kind != runbooks.KindApplied || (status != string(steps.StatusApplied) && status != string(steps.StatusAlreadyDone)) {
			continue
		}
		if out[e.Step] == nil {
			out[e.Step] = map[string]bool{}
		}
		out[e.Step][change] = true
	}
	return out
}

// dropDone takes out of the selection the reviewed rows lockdown no longer proposes because an
// earlier apply of this plan made every reviewed change for them (a key it deactivated now reads
// inactive): they are done, not choices against lockdown's verdict.
func (a *applier) dropDone(ps *PlanStep, table *steps.Table, selection []string) []string {
	done := a.done[ps.Step]
	if table == nil || len(done) == 0 {
		return selection
	}
	var out []string
	for _, id := range selection {
		if row, ok := findRow(table, id); ok && !row.Selected && allMade(ps.Changes, id, done) {
			a.printf("      = already done:        %s was handled by an earlier apply of this plan\n", id)
			continue
		}
		out = append(out, id)
	}
	return out
}

// allMade reports whether the reviewed changes for row exist and were all made.
func allMade(changes []steps.Change, row string, done map[string]bool) bool {
	n := 0
	for _, c := range changes {
		if c.ID == row || strings.HasSuffix(c.ID, "/"+row) {
			if !done[c.ID] {
				return false
			}
			n++
		}
	}
	return n > 0
}
