package aws

import (
	"errors"
	"strings"
	"testing"
)

func TestGuardAllowsAChangeOnlyWhenLiveConfirmedAndInTheExpectedAccount(t *testing.T) {
	tests := []struct {
		name     string
		live     bool
		expected string
		actual   string
		want     error
	}{
		{"a dry run refuses every change", false, "", "111122223333", ErrDryRun},
		{"a live run before the account is confirmed refuses", true, "", "", ErrIdentityUnknown},
		{"a live run in the confirmed account allows", true, "", "111122223333", nil},
		{"a live run in the expected account allows", true, "111122223333", "111122223333", nil},
		{"a live run in another account refuses", true, "000000000000", "111122223333", &WrongAccountError{}},
		{"a dry run in another account reports the wrong account", false, "000000000000", "111122223333", &WrongAccountError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewGuard(tt.live, tt.expected)
			g.SetAccount(tt.actual)
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
	g := NewGuard(true, "000000000000")
	g.SetAccount("111122223333")
	msg := g.AllowChange().Error()
	if !strings.Contains(msg, "000000000000") || !strings.Contains(msg, "111122223333") {
		t.Fatalf("message %q must name both accounts", msg)
	}
}
