package runbooks

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// TestReadingAJournalAgainAfterItChangedReadsWhatItHoldsNow: a journal is read again while its
// run appends to it, and a damaged or rewritten one must not be taken for what was read before.
// Each second read must say exactly what reading the file afresh says.
func TestReadingAJournalAgainAfterItChangedReadsWhatItHoldsNow(t *testing.T) {
	other := `{"time":"2026-11-28T03:00:01Z","incident":"i","kind":"note","message":"other"}`
	tests := []struct{ name, before, after string }{
		{"lines appended", noteLine + "\n", noteLine + "\n" + other + "\n" + other + "\n"},
		{"a torn last line finished", noteLine + "\n" + other[:20], noteLine + "\n" + other + "\n"},
		{"a torn last line followed by more", noteLine + "\n" + other[:20], noteLine + "\n" + other[:20] + "\n" + other + "\n"},
		{"a last line without its newline, then more", noteLine + "\n" + other, noteLine + "\n" + other + noteLine + "\n"},
		{"a corrupt line, then more", noteLine + "\nnot json\n", noteLine + "\nnot json\n" + other + "\n"},
		{"blank lines, then more", noteLine + "\n\n\n", noteLine + "\n\n\n" + other + "\n"},
		{"rewritten at the same length", noteLine + "\n" + noteLine + "\n", noteLine + "\n" + other[:len(noteLine)] + "\n"},
		{"rewritten shorter", noteLine + "\n" + other + "\n", other + "\n"},
		{"rewritten longer with another beginning", noteLine + "\n", other + "\n" + noteLine + "\n" + noteLine + "\n"},
		{"emptied", noteLine + "\n", ""},
		{"unchanged", noteLine + "\n" + other + "\n", noteLine + "\n" + other + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeJournal(t, tt.before)
			if _, err := ReadJournalFile(path); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tt.after), 0o600); err != nil {
				t.Fatal(err)
			}
			got, gotErr := ReadJournalFile(path)
			want, wantErr := DecodeJournal(bytes.NewReader([]byte(tt.after)))
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("read again: %v; afresh: %v", gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read again:\n%+v\nafresh:\n%+v", got, want)
			}
		})
	}
}

// TestAJournalsEntriesAreTheReadersOwn: a reader that reorders or drops what it was given must
// not change what the next reader of the same file gets.
func TestAJournalsEntriesAreTheReadersOwn(t *testing.T) {
	other := `{"time":"2026-11-28T03:00:01Z","incident":"i","kind":"note","message":"other"}`
	path := writeJournal(t, noteLine+"\n"+other+"\n")
	first, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	first[0], first[1] = first[1], first[0]
	again, err := ReadJournal(path)
	if err != nil || again[0].Message != "m" || again[1].Message != "other" {
		t.Fatalf("the second read got %+v, %v", again, err)
	}
}
