package ui

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any of them leaves a goroutine behind. Two kinds are
// the harness's own and ignored: teatest's output reader, and the commands collectWithin abandons
// once they outlast its wait (status-line timers of models a unit test never releases).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction(teatestLeak),
		goleak.IgnoreAnyFunction("lockdown/ui.collectWithin.func1"))
}
