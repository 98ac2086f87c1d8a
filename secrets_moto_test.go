package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/moto"
	"lockdown/aws/sim"
)

// The secrets proof again with moto as the account: a rotation by apply keeps the new secret only
// in the 0600 file the operator chose, whatever answers the calls.
func TestApplyAgainstMotoKeepsNewSecretsOnlyInTheSecretsFile(t *testing.T) {
	t.Parallel()
	sc, err := sim.LoadScenario(sim.DefaultScenario)
	if err != nil {
		t.Fatal(err)
	}
	wire, seed := moto.StartSeeded(t, sc) // the seeding created keys too; only apply's count below
	const envSecret, sessionToken = "moto-responder-secret-must-stay-in-the-environment", "moto-session-token-of-the-responder"
	root := t.TempDir()
	l := newSealedLockdown(t, wire.URL, root, "AKIAEXAMPLEMOTORESP1", envSecret, sessionToken)
	lockdown, stdout, stderr := l.run, &l.stdout, &l.stderr

	plan := filepath.Join(root, "plan.json")
	// moto answers 500 to CloudTrail lookups it lacks: retry them on a compressed clock.
	if code := lockdown("plan", "--key", seed.Leaked, "--since", seed.Since.Format(time.RFC3339), "--retry-base", "2ms",
		"--skip-regions", strings.Join(seed.OtherRegions(), ","), "-o", plan); code != exitOK && code != exitPartial {
		t.Fatalf("plan exited %d:\n%s", code, stderr.String())
	}
	secrets := filepath.Join(root, "chosen", "new-keys")
	if err := os.Mkdir(filepath.Dir(secrets), 0o700); err != nil {
		t.Fatal(err)
	}
	lockdown("apply", plan, "--live", "--confirm", "123456789012", "--secrets-file", secrets, "--retry-base", "2ms")
	if !strings.Contains(stderr.String(), "rotate-keys: done") {
		t.Fatalf("apply did not rotate against moto:\n%s", stderr.String())
	}
	if len(wire.ChangesOf("CreateAccessKey")) == 0 {
		t.Fatal("the recorder saw no CreateAccessKey: the rotation did not reach moto")
	}
	secretsOnlyInTheirFile(t, root, secrets, map[string]string{"stdout": stdout.String(), "stderr": stderr.String()},
		map[string]string{"AWS_SECRET_ACCESS_KEY": envSecret, "AWS_SESSION_TOKEN": sessionToken})
}
