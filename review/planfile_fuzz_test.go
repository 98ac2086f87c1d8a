package review

import (
	"bytes"
	"testing"
)

// FuzzDecodePlan feeds the plan reader any file: it answers a complete plan of this version or an
// error, and a plan it accepts has the digest it has after being written out and read again, so
// the digest a reviewer approved cannot depend on how the file was spelled.
func FuzzDecodePlan(f *testing.F) {
	var sample bytes.Buffer
	if err := WritePlan(&sample, samplePlan()); err != nil {
		f.Fatal(err)
	}
	f.Add(sample.Bytes())
	f.Add([]byte(`{"version":1,"account":"1","runbook":"r","steps":[{"step":"s","changes":[{"id":"x"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := DecodePlan("p.json", data)
		if err != nil {
			return
		}
		if d.Version != PlanVersion || d.Account == "" || d.Runbook == "" {
			t.Fatalf("accepted an incomplete plan: %+v", d)
		}
		var again bytes.Buffer
		if err := WritePlan(&again, d); err != nil {
			t.Fatal(err)
		}
		d2, err := DecodePlan("p.json", again.Bytes())
		if err != nil {
			t.Fatalf("a plan written back cannot be read: %v\n%s", err, again.Bytes())
		}
		if d.Digest() != d2.Digest() {
			t.Fatalf("the digest changed on writing the plan back:\n%s", again.Bytes())
		}
	})
}
