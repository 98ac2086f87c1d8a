package runbooks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lockdown/steps"
)

func TestJournalLinesAreReadableAfterRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	j, err := OpenJournal(dir, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 28, 3, 4, 5, 0, time.UTC)
	if err := j.Record(Entry{Time: at, Step: "contain-key", Mode: "live", Account: "111122223333",
		Kind: KindNote, Message: "called the key owner", Data: map[string]int{"n": 1}}); err != nil {
		t.Fatal(err)
	}
	// Read while still open: Record must already have put the line on disk.
	got, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Incident != "inc-1" || !got[0].Time.Equal(at) || got[0].Message != "called the key owner" {
		t.Fatalf("read back %+v", got)
	}
	if data, ok := got[0].Data.(map[string]any); !ok || data["n"] != 1.0 {
		t.Errorf("data read back as %#v", got[0].Data)
	}
	if j.Path() != filepath.Join(dir, "inc-1.jsonl") {
		t.Errorf("path %s", j.Path())
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, j.Path(): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v (%v)", path, fi.Mode().Perm(), want, err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Record(Entry{Kind: KindNote}); err == nil {
		t.Error("Record after Close succeeded")
	}
}

func TestJournalWritesKeysTheReportReadsByName(t *testing.T) {
	j := openTestJournal(t)
	if err := j.Record(Entry{Kind: KindSkip, Message: "not used here"}); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(readFile(t, j.Path()))
	for _, key := range []string{`"time":`, `"incident":"inc"`, `"kind":"skip"`, `"message":"not used here"`} {
		if !strings.Contains(line, key) {
			t.Errorf("line %s lacks %s", line, key)
		}
	}
	for _, key := range []string{`"step"`, `"mode"`, `"account"`, `"data"`} {
		if strings.Contains(line, key) {
			t.Errorf("line %s has empty %s", line, key)
		}
	}
}

func TestSecretsNeverReachTheJournal(t *testing.T) {
	const value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	j := openTestJournal(t)
	out := &steps.Outcome{
		Results: []steps.Result{{ChangeID: "create-key", Status: steps.StatusApplied}},
		Secrets: []steps.Secret{steps.NewSecret("new key for ci", "AKIAIOSFODNN7EXAMPLE", value)},
	}
	if err := j.Record(Entry{Kind: KindResult, Data: out}); err != nil {
		t.Fatal(err)
	}
	// A secret carried some other way is redacted by the Secret itself.
	if err := j.Record(Entry{Kind: KindNote, Data: map[string]any{"secret": out.Secrets[0]}}); err != nil {
		t.Fatal(err)
	}
	text := readFile(t, j.Path())
	if strings.Contains(text, value) || strings.Contains(text, "wJalrXUtnFEMI") {
		t.Fatalf("the secret value is in the journal:\n%s", text)
	}
	if !strings.Contains(text, "[secret redacted]") {
		t.Errorf("the redaction is missing:\n%s", text)
	}
}

func TestConcurrentRecordsProduceWholeLines(t *testing.T) {
	j := openTestJournal(t)
	const writers, each = 8, 50
	long := strings.Repeat("x", 5000) // longer than a pipe buffer's atomic write on some systems
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := j.Record(Entry{Kind: KindNote, Message: fmt.Sprintf("%d-%d", w, i), Data: long}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("read %d entries, want %d", len(got), writers*each)
	}
	seen := map[string]bool{}
	for _, e := range got {
		seen[e.Message] = true
	}
	if len(seen) != writers*each {
		t.Errorf("%d distinct entries, want %d", len(seen), writers*each)
	}
}

func TestReadJournalNamesTheCorruptLine(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"a garbled line in the middle is named by number",
			`{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note"}` + "\nnot json\n",
			":2: not a journal entry: "},
		{"a cut-short line followed by more is corrupt too",
			`{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note"}` + "\n" + `{"time":"20` + "\n" + `{"time":"2026-11-28T03:00:00Z"`,
			":2: not a journal entry: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "i.jsonl")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			entries, err := ReadJournal(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+":") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %s…%s", err, path, tt.want)
			}
			if len(entries) != 1 {
				t.Errorf("kept %d good entries, want 1", len(entries))
			}
		})
	}
}

func TestOpenJournalRefusesIncidentNamesThatAreNotFileNames(t *testing.T) {
	for _, name := range []string{"", "..", "a/b", `a\b`} {
		if _, err := OpenJournal(t.TempDir(), name); err == nil {
			t.Errorf("incident %q was accepted", name)
		}
	}
}

func TestDefaultJournalDirFollowsXDGStateHome(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if dir, _ := DefaultJournalDir(); dir != "/state/lockdown" {
		t.Errorf("got %s", dir)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/oncall")
	if dir, _ := DefaultJournalDir(); dir != "/home/oncall/.local/state/lockdown" {
		t.Errorf("got %s", dir)
	}
}

func openTestJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := OpenJournal(t.TempDir(), "inc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
