package aws

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind: a worker, a
// listener or a command that outlives its test would outlive its use in production too.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
