package steps

import (
	"strings"
	"testing"

	"lockdown/aws"
)

func TestPluralsReadAsTheOperatorSaysThem(t *testing.T) {
	for n, want := range map[int]string{1: "1 region", 2: "2 regions"} {
		if got := plural(n, "region"); got != want {
			t.Errorf("plural(%d, region) = %q", n, got)
		}
	}
	for noun, want := range map[string]string{"inline policy": "2 inline policies", "key": "2 keys", "other inline policy": "2 other inline policies", "day": "2 days"} {
		if got := plural(2, noun); got != want {
			t.Errorf("plural(2, %q) = %q, want %q", noun, got, want)
		}
	}
}

// Require password resets does not claim that Remove rogue IAM users deletes a user it leaves:
// a teammate's user made after T0 is named as such.
func TestAPasswordResetRowDoesNotClaimAnotherStepDeletesATeammatesUser(t *testing.T) {
	foot := &aws.Footprint{Origins: map[string]aws.Origin{
		"priya":    {Principal: "arn:aws:iam::555566667777:user/maria", Attacker: false},
		"backdoor": {Credential: "AKIAEXAMPLELEAKED003", Attacker: true},
	}}
	env := &Env{Trace: &TraceEvidence{Footprint: foot}}
	if got := userAfterT0(env, "priya"); strings.Contains(got, "proposes deleting") || !strings.Contains(got, "user/maria, not the attacker") {
		t.Errorf("a teammate's user: %q", got)
	}
	if got := userAfterT0(env, "backdoor"); !strings.Contains(got, "proposes deleting the user") {
		t.Errorf("the attacker's user: %q", got)
	}
	if got := userAfterT0(&Env{}, "anyone"); !strings.Contains(got, "proposes deleting the user") {
		t.Errorf("without a trace: %q", got)
	}
}
