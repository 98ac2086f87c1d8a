package aws

import (
	"errors"
	"strings"
	"testing"
)

func TestGuardAllowsAChangeOnlyWhenLiveConfirmedAndInTheExpectedAccount(t *testing.T) {
	tests := []struct {
		name     string
		mode     Mode
		expected string
		actual   string
		want     error
	}{
		{"a dry run refuses every change", DryRun, "", "111122223333", ErrDryRun},
		{"an unknown mode is a dry run", Mode("yolo"), "", "111122223333", ErrDryRun},
		{"a live run before the account is confirmed refuses", Live, "", "", ErrIdentityUnknown},
		{"a live run in the confirmed account allows", Live, "", "111122223333", nil},
		{"a drill in the confirmed account allows", Drill, "", "111122223333", nil},
		{"a live run in the expected account allows", Live, "111122223333", "111122223333", nil},
		{"a live run in another account refuses", Live, "000000000000", "111122223333", &WrongAccountError{}},
		{"a dry run in another account reports the wrong account", DryRun, "000000000000", "111122223333", &WrongAccountError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGuard(tt.mode, tt.expected)
			g.confirm(tt.actual)
			err := g.AllowChange()
			var wrong *WrongAccountError
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("want allowed, got %v", err)
			case errors.As(tt.want, &wrong):
				if !errors.As(err, &wrong) {
					t.Fatalf("want wrong-account refusal, got %v", err)
				}
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

func TestWrongAccountMessageNamesBothAccounts(t *testing.T) {
	g := newGuard(Live, "000000000000")
	g.confirm("111122223333")
	msg := g.AllowChange().Error()
	if !strings.Contains(msg, "000000000000") || !strings.Contains(msg, "111122223333") {
		t.Fatalf("message %q must name both accounts", msg)
	}
}

func TestChangesAreHandedOutByTheGuardAlone(t *testing.T) {
	tests := []struct {
		name     string
		mode     Mode
		expected string
		actual   string
		wantMode Mode
		wantErr  bool
	}{
		{"a dry run gets the dry-run checks", DryRun, "", "111122223333", DryRun, false},
		{"a live run in its account gets the live changes", Live, "111122223333", "111122223333", Live, false},
		{"a live run before confirmation gets nothing", Live, "", "", "", true},
		{"a live run in the wrong account gets nothing", Live, "000000000000", "111122223333", "", true},
		{"a dry run in the wrong account gets nothing", DryRun, "000000000000", "111122223333", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Account{guard: newGuard(tt.mode, tt.expected)}
			a.guard.confirm(tt.actual)
			ch, err := a.Changes()
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			_, live := ch.(*liveChanges)
			if ch.Mode() != tt.wantMode || live != tt.wantMode.Changes() {
				t.Fatalf("got %T in mode %s, want mode %s", ch, ch.Mode(), tt.wantMode)
			}
		})
	}
}
