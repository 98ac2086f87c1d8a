package runbooks

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyTicksWhatItsChecksConfirmAndJournalsTheEvidence(t *testing.T) {
	reg := testRegistry()
	rb, err := Load(filepath.Join(runbookDir, "good-verify.yaml"), reg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rb.Steps[1].Verify, ","); got != ",fake.root-mfa,fake.root-keys" {
		t.Fatalf("checks read as %q", got)
	}
	j := openTestJournal(t)
	r, err := NewRun(Config{Runbook: rb, Registry: reg, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	found, err := r.Verify(context.Background(), "root-hardening")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || !found[0].Result.Done || found[1].Err == "" {
		t.Fatalf("verifications: %+v", found)
	}
	st := r.Status("root-hardening")
	if st.Checked[0] || !st.Checked[1] || st.Checked[2] {
		t.Fatalf("ticks after verifying: %v (only the confirmed item may be ticked)", st.Checked)
	}
	entries, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	var evidence []string
	for _, e := range entries {
		if e.Kind == KindCheck {
			evidence = append(evidence, e.Message)
		}
	}
	if len(evidence) != 1 || !strings.Contains(evidence[0], "verified: Enable MFA on the root user (root MFA is on)") {
		t.Fatalf("journaled checks: %q", evidence)
	}
	if _, err := r.Verify(context.Background(), "confirm-account"); err == nil {
		t.Fatal("verifying a step without checks must be refused")
	}
}
