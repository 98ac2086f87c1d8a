package sim

import (
	"fmt"
	"testing"
)

// TestIDsAreTheSixteenHexDigitsOfEachDraw: ids must stay the same for a seed across versions,
// or every recorded drill and golden file would change.
func TestIDsAreTheSixteenHexDigitsOfEachDraw(t *testing.T) {
	t.Parallel()
	ids, draws := newIDSource(42), newIDSource(42)
	for _, n := range []int{17, 40, 32, 1} {
		want := ""
		for len(want) < n {
			want += fmt.Sprintf("%016x", draws.next())
		}
		if got := ids.hex("i-", n); got != "i-"+want[:n] {
			t.Errorf("hex(%d) = %s, want i-%s", n, got, want[:n])
		}
	}
}
