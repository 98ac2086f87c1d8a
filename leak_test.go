package main

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind: a worker, a
// listener or a command that outlives its test would outlive its use in production too. It also
// removes the binary that tests of the built command share.
func TestMain(m *testing.M) {
	// Commands run here, in-process or built, trace the attacker against the simulator, which
	// enforces no CloudTrail limit unless a test asks it to: they need not keep under AWS's.
	os.Setenv("LOCKDOWN_TEST_LOOKUP_INTERVAL", "5ms")
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if builtPath != "" {
			_ = os.RemoveAll(filepath.Dir(builtPath))
		}
		os.Exit(code)
	}))
}
