package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// testLookupInterval spaces a region's CloudTrail lookups in the commands tests run.
const testLookupInterval = 5 * time.Millisecond

// TestMain fails the package's tests when any of them leaves a goroutine behind: a worker, a
// listener or a command that outlives its test would outlive its use in production too. It also
// removes the binary that tests of the built command share.
func TestMain(m *testing.M) {
	if os.Getenv(measureEnv) != "" {
		os.Exit(runMeasured()) // a command run for a benchmark to measure (scan_bench_test.go)
	}
	// Commands run here, in-process or built, trace the attacker against the simulator, which
	// enforces no CloudTrail limit unless a test asks it to: they need not keep under AWS's.
	os.Setenv("LOCKDOWN_TEST_LOOKUP_INTERVAL", testLookupInterval.String())
	// Commands given no --journal keep their journals and logs in the user's state directory:
	// here a temporary one, never the real home.
	state, err := os.MkdirTemp("", "lockdown-state")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_STATE_HOME", state)
	// Commands run in-process get their simulator's credentials directly (runWith). Should one
	// reach for the credential chain instead, it finds a key no endpoint knows, no shared files,
	// no instance metadata, and an endpoint on loopback where nothing listens: it fails at once,
	// and never sends anything off this machine.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAEXAMPLENOCHAIN00", "AWS_SECRET_ACCESS_KEY": "credential-chain-unused-in-tests",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_PROFILE": "",
	} {
		os.Setenv(k, v)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if builtPath != "" {
			_ = os.RemoveAll(filepath.Dir(builtPath))
		}
		_ = os.RemoveAll(state)
		os.Exit(code)
	}))
}
