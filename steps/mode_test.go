package steps

import (
	"reflect"
	"strings"
	"testing"
)

// The review found a dry-run Mode in the Env next to a live guard: no typed confirmation was asked
// and three real changes were sent. The mode now lives in the guard alone; the Env has nothing of
// its own that could say otherwise.
func TestEnvHasNoModeOfItsOwnThatCouldDisagreeWithTheGuard(t *testing.T) {
	typ := reflect.TypeFor[Env]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type == reflect.TypeFor[Mode]() || f.Type.Kind() == reflect.Bool || strings.Contains(strings.ToLower(f.Name), "mode") || strings.Contains(strings.ToLower(f.Name), "live") {
			t.Errorf("Env.%s (%s) is a second source of truth for the mode: read it from the account's guard", f.Name, f.Type)
		}
	}
}

func TestTheGuardsModeDecidesBothTheConfirmationAndWhatIsSent(t *testing.T) {
	tests := []struct {
		name        string
		mode        Mode
		wantTyped   bool
		wantChanges bool
	}{
		{"a dry run asks a plain yes and sends nothing", DryRun, false, false},
		{"a drill asks for the key id and changes the key", Drill, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDrill(t, tt.mode)
			d.env.Inputs["access_key_id"] = leakedKey
			_, plan, out := d.run(t, ContainKey{})
			if got := plan.Confirm.Typed != ""; got != tt.wantTyped {
				t.Errorf("typed confirmation %q in %s", plan.Confirm.Typed, tt.mode)
			}
			if got := len(d.wire.Changes()) > 0; got != tt.wantChanges {
				t.Errorf("mutating requests %v in %s", d.wire.Changes(), tt.mode)
			}
			applied := statuses(out)[StatusApplied] > 0
			if applied != tt.wantChanges || d.env.Mode() != tt.mode || changesOf(d.env).Mode() != tt.mode {
				t.Errorf("env mode %s, changes mode %s, results %+v", d.env.Mode(), changesOf(d.env).Mode(), out.Results)
			}
		})
	}
}
