package runbooks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const noteLine = `{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note","message":"m"}`

func writeJournal(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "i.jsonl")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadingAJournalKeepsEveryReadableEntryAndNamesTheRest(t *testing.T) {
	long := `{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note","message":"` + strings.Repeat("x", MaxJournalLine) + `"}`
	tests := []struct {
		name, text    string
		entries       int
		corrupt, torn []int
	}{
		{"whole", noteLine + "\n" + noteLine + "\n", 2, nil, nil},
		{"a corrupt line in the middle does not hide what follows", noteLine + "\nnot json\n" + noteLine + "\n", 2, []int{2}, nil},
		{"a JSON object that is not an entry", noteLine + "\n{\"a\":1}\n" + noteLine + "\n", 2, []int{2}, nil},
		{"a last line cut short by a kill is set apart", noteLine + "\n" + noteLine + "\n" + noteLine[:20], 2, nil, []int{3}},
		{"a last entry without its newline is whole", noteLine + "\n" + noteLine, 2, nil, nil},
		{"a line too long to keep", noteLine + "\n" + long + "\n" + noteLine + "\n", 2, []int{2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jf, err := ReadJournalFile(writeJournal(t, tt.text))
			if err != nil {
				t.Fatal(err)
			}
			var corrupt, torn []int
			for _, b := range jf.Corrupt {
				corrupt = append(corrupt, b.Line)
			}
			if jf.Torn != nil {
				torn = []int{jf.Torn.Line}
			}
			if len(jf.Entries) != tt.entries || !slices.Equal(corrupt, tt.corrupt) || !slices.Equal(torn, tt.torn) {
				t.Errorf("entries %d corrupt %v torn %v; want %d %v %v", len(jf.Entries), corrupt, torn, tt.entries, tt.corrupt, tt.torn)
			}
		})
	}
}

func TestAJournalLineNestedPastTheLimitIsSetAsideUnread(t *testing.T) {
	deep := `{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note","data":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}"
	jf, err := ReadJournalFile(writeJournal(t, noteLine+"\n"+deep+"\n"+noteLine+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "not a journal entry: lists and mappings are nested more than 32 levels deep here (column 99)"
	if len(jf.Entries) != 2 || len(jf.Corrupt) != 1 || jf.Corrupt[0].Line != 2 || !strings.HasPrefix(jf.Corrupt[0].Problem, want) {
		t.Errorf("%d entries, corrupt %+v; want line 2: %s", len(jf.Entries), jf.Corrupt, want)
	}
}

func TestAJournalHoldingMoreValuesThanTheLimitIsRefused(t *testing.T) {
	// 21 lists of 95,239 zeros: over two million values in one line of 4 MB, measured before it
	// is decoded.
	list := "[" + strings.Repeat("0,", 95_238) + "0]"
	line := `{"time":"2026-11-28T03:00:00Z","incident":"i","kind":"note","data":[` + strings.Repeat(list+",", 20) + list + "]}\n"
	_, err := ReadJournalFile(writeJournal(t, noteLine+"\n"+line))
	if err == nil || !strings.Contains(err.Error(), ".jsonl:2: more than 2000000 values in the journal") {
		t.Errorf("got %.300v", err)
	}
}

func TestAFileThatIsNotAJournalIsAnError(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty", "", " is empty: it is not a lockdown journal"},
		{"blank lines", "\n\n", " is empty: it is not a lockdown journal"},
		{"a plan file", "{\n  \"version\": 1\n}\n", ":1: not a lockdown journal: not a journal entry: "},
		{"JSON objects without a kind", "{\"a\":1}\n{\"b\":2}\n", ":1: not a lockdown journal: not a journal entry: it has no kind or time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeJournal(t, tt.text)
			_, err := ReadJournalFile(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+tt.want) {
				t.Errorf("got %v, want %s%s…", err, path, tt.want)
			}
		})
	}
}

func TestAJournalLargerThanTheLimitIsRefusedWithoutReadingIt(t *testing.T) {
	path := writeJournal(t, noteLine+"\n")
	if err := os.Truncate(path, MaxJournalBytes+1); err != nil {
		t.Fatal(err)
	}
	_, err := ReadJournalFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than the 64 MiB a journal may be") {
		t.Errorf("got %v", err)
	}
}

// continueJournal opens the journal at path as a resumed run does, records one entry and reads
// the file back.
func continueJournal(t *testing.T, path string) (*JournalFile, error) {
	t.Helper()
	j, err := OpenJournal(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), ".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Record(Entry{Kind: KindNote, Message: "after"}); err != nil {
		t.Fatal(err)
	}
	return ReadJournalFile(path)
}

func TestResumingAfterAKillMidWriteSetsTheTornLineAsideAndSaysSo(t *testing.T) {
	path := writeJournal(t, noteLine+"\n"+noteLine+"\n"+`{"time":"2026-11-28T03:0`)
	entries, err := ReadJournal(path)
	if err != nil || len(entries) != 2 {
		t.Fatalf("a torn last line must not stop a resume: %d entries, %v", len(entries), err)
	}
	jf, err := continueJournal(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(jf.Corrupt) != 0 || jf.Torn != nil || len(jf.Entries) != 4 {
		t.Fatalf("after continuing: %d entries, corrupt %v, torn %v; want 4 whole entries", len(jf.Entries), jf.Corrupt, jf.Torn)
	}
	note := jf.Entries[2]
	if !strings.Contains(note.Message, "line 3 was cut short") || field(note.Data, "fragment") != `{"time":"2026-11-28T03:0` {
		t.Errorf("the note about the torn line: %+v", note)
	}
	if jf.Entries[3].Message != "after" {
		t.Errorf("the next entry: %+v", jf.Entries[3])
	}
}

func TestContinuingAJournalWhoseLastEntryLacksItsNewlineKeepsIt(t *testing.T) {
	path := writeJournal(t, noteLine+"\n"+noteLine)
	jf, err := continueJournal(t, path)
	if err != nil || len(jf.Entries) != 3 || len(jf.Corrupt) != 0 {
		t.Fatalf("got %+v, %v; want the three entries", jf, err)
	}
}

func TestRunsStartedInTheSameSecondGetTheirOwnJournal(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for range 3 {
		incident, err := CreateIncident(dir, "20261128-030000-live")
		if err != nil {
			t.Fatal(err)
		}
		if seen[incident] {
			t.Fatalf("incident %s given twice", incident)
		}
		seen[incident] = true
	}
	for _, want := range []string{"20261128-030000-live", "20261128-030000-live-2", "20261128-030000-live-3"} {
		if !seen[want] {
			t.Errorf("no incident %s among %v", want, seen)
		}
		if fi, err := os.Stat(filepath.Join(dir, want+".jsonl")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("journal of %s: %v", want, err)
		}
	}
}
