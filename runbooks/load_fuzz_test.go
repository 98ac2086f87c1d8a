package runbooks

import (
	"errors"
	"testing"
)

// FuzzParse feeds the runbook loader any file: it must answer, without panicking, either a
// runbook with an id and steps or problems that each point into the file.
func FuzzParse(f *testing.F) {
	// Seeds are the small runbooks in testdata/fuzz: the fuzzer stalls mutating the 12 KiB
	// built-in one, which has its own tests.
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := Parse("f.yaml", data, reg)
		if err == nil {
			if rb.ID == "" || len(rb.Steps) == 0 {
				t.Fatalf("accepted a runbook without id or steps: %+v", rb)
			}
			return
		}
		var problems Problems
		if !errors.As(err, &problems) || len(problems) == 0 {
			t.Fatalf("not a list of problems: %v", err)
		}
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		for _, p := range problems {
			if p.File != "f.yaml" || p.Line < 1 || p.Col < 1 || p.Line > lines+1 || p.Msg == "" {
				t.Fatalf("a problem that points nowhere: %s (the file has %d lines)", p, lines)
			}
		}
	})
}
