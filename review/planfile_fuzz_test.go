package review

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzDecodePlan feeds the plan reader any file: it answers a complete plan of this version or an
// error; a plan it accepts has the digest of the file's bytes, and written out again it reads back
// as the same document with the digest of the bytes written.
func FuzzDecodePlan(f *testing.F) {
	var sample bytes.Buffer
	if err := WritePlan(&sample, samplePlan()); err != nil {
		f.Fatal(err)
	}
	f.Add(sample.Bytes())
	f.Add([]byte(`{"version":1,"account":"1","runbook":"r","steps":[{"step":"s","changes":[{"id":"x"}]}]}`))
	f.Add([]byte(`{"version":1,"account":"1","runbook":"r","steps":[]} {"version":1}`))
	f.Add(sample.Bytes()[:sample.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := DecodePlan("p.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "p.json") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if d.Version != PlanVersion || d.Account == "" || d.Runbook == "" {
			t.Fatalf("accepted an incomplete plan: %+v", d)
		}
		if d.Digest() != digestOf(data) {
			t.Fatalf("the digest is not the file's: %s", d.Digest())
		}
		var again bytes.Buffer
		if err := WritePlan(&again, d); err != nil {
			t.Fatal(err)
		}
		d2, err := DecodePlan("p.json", again.Bytes())
		if err != nil {
			t.Fatalf("a plan written back cannot be read: %v\n%s", err, again.Bytes())
		}
		var twice bytes.Buffer
		if err := WritePlan(&twice, d2); err != nil {
			t.Fatal(err)
		}
		if d2.Digest() != digestOf(again.Bytes()) || !bytes.Equal(again.Bytes(), twice.Bytes()) {
			t.Fatalf("a plan written back does not read as itself:\n%s\n%s", again.Bytes(), twice.Bytes())
		}
	})
}
