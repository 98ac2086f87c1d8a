package review

import (
	"bufio"
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"lockdown/input"
	"lockdown/runbooks"
	"lockdown/steps"
)

// secretsNote is the journal's record of where an apply keeps new secrets (the path, never a
// secret), so a later apply can tell a key whose secret is kept from one nobody holds.
const secretsNote = runbooks.SecretsFileNote

// reconcile settles, by reading the account, the changes earlier applies of this plan intended
// and never settled (a kill, a lost answer), before anything is applied again: a key such a change
// made is lockdown's when the journals name it or CloudTrail shows lockdown made it; one whose
// secret is kept stays, wherever its file went, one whose secret nobody holds is deleted, and any
// other key is left alone.
func (a *applier) reconcile(ctx context.Context, digest string) {
	entries, secretFiles := earlierApplies(a.opts.JournalDir, digest)
	pending := runbooks.PendingChanges(entries)
	if len(pending) == 0 {
		return
	}
	a.printf("reconciling %d changes an earlier apply of this plan intended and never settled:\n", len(pending))
	held := heldSecrets(secretFiles)
	secrets := runbooks.SecretRecords{Written: runbooks.SecretsWritten(entries), Held: func(id string) bool { return held[id] }}
	for _, rec := range a.run.Reconcile(ctx, pending, secrets) {
		a.printf("      %s\n", rec.Line())
	}
}

// earlierApplies reads, oldest first, the journals of the applies of the plan with digest in dir,
// and the secrets files they kept new secrets in.
func earlierApplies(dir, digest string) ([]runbooks.Entry, []string) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var journals [][]runbooks.Entry
	for _, path := range paths {
		entries, err := runbooks.ReadJournal(path)
		if err != nil || len(entries) == 0 || !slices.ContainsFunc(entries, func(e runbooks.Entry) bool {
			return e.Kind == runbooks.KindNote && e.Message == appliedNote(digest)
		}) {
			continue
		}
		journals = append(journals, entries)
	}
	sort.SliceStable(journals, func(i, j int) bool { return journals[i][0].Time.Before(journals[j][0].Time) })
	var all []runbooks.Entry
	var files []string
	for _, entries := range journals {
		for _, e := range entries {
			if path, ok := strings.CutPrefix(e.Message, secretsNote); ok && e.Kind == runbooks.KindNote {
				files = append(files, path)
			}
		}
		all = append(all, entries...)
	}
	return all, files
}

// heldSecrets lists the access key ids whose secrets the files hold, one profile per key.
func heldSecrets(files []string) map[string]bool {
	held := map[string]bool{}
	for _, path := range files {
		f, err := input.Open(path, "secrets file")
		if err != nil {
			continue
		}
		lines := bufio.NewScanner(f)
		for lines.Scan() {
			line := strings.TrimSpace(lines.Text())
			if id, ok := strings.CutPrefix(line, "aws_access_key_id = "); ok && steps.ValidateAccessKeyID(id) == nil {
				held[id] = true
			}
		}
		f.Close()
	}
	return held
}
