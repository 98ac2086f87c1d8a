package runbooks

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// FuzzDecodeJournal feeds the journal reader and the report any file: every line is either an
// entry, a named corrupt line or the torn last line, and a report can always be written.
func FuzzDecodeJournal(f *testing.F) {
	f.Add([]byte(noteLine + "\n" + noteLine + "\n"))
	f.Add([]byte(noteLine + "\nnot json\n" + noteLine[:20]))
	f.Fuzz(func(t *testing.T, data []byte) {
		jf, err := DecodeJournal(bytes.NewReader(data))
		if jf == nil {
			t.Fatalf("no result: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		bad := len(jf.Corrupt)
		for _, b := range jf.Corrupt {
			if b.Line < 1 || b.Line > lines || b.Problem == "" {
				t.Fatalf("corrupt line %+v of %d", b, lines)
			}
		}
		if jf.Torn != nil {
			bad++
			if jf.Torn.Line != lines || bytes.HasSuffix(data, []byte("\n")) {
				t.Fatalf("torn line %d of %d", jf.Torn.Line, lines)
			}
		}
		if len(jf.Entries)+bad > lines {
			t.Fatalf("%d entries and %d bad lines from %d lines", len(jf.Entries), bad, lines)
		}
		if err == nil && len(jf.Entries) == 0 {
			t.Fatal("a file without entries was read as a journal")
		}
		rep := BuildJournalReport(jf)
		if err := rep.WriteMarkdown(io.Discard); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		if len(jf.Corrupt) > 0 && len(rep.Unsettled()) == 0 {
			t.Fatal("a journal with corrupt lines reported as settled")
		}
	})
}
