package steps

import (
	"strings"
	"testing"
	"time"

	"lockdown/aws"
)

// An instance's launch is its first launch, its primary network interface's attachment: a stop and
// start after T0 sets LaunchTime anew and accuses it of nothing. Without CloudTrail, a key pair
// made after T0 on an instance first launched before it ties something new to an old owner:
// suspicious, never rogue on that alone.
func TestAnInstanceIsJudgedByItsFirstLaunchNotItsLastStart(t *testing.T) {
	facts := regionFacts{keys: map[string]time.Time{"ops": ec2T0.Add(-400 * 24 * time.Hour), "fresh": ec2T0.Add(time.Hour)}}
	rules := VerdictRules{Since: ec2T0, UsualRegions: []string{"us-east-1"}}
	old, recent := ec2T0.Add(-300*24*time.Hour), ec2T0.Add(30*time.Minute)
	tests := []struct {
		name    string
		in      aws.Instance
		want    Verdict
		reasons []string
	}{
		{"started again after T0, first launched long before: ok, and the row says it was restarted",
			aws.Instance{ID: "i-1", Region: "us-east-1", Type: "m5.large", FirstLaunch: old, LaunchTime: recent, KeyName: "ops"}, VerdictOK,
			[]string{"first launched 2026-02-01 00:00, before T0; started again 30m0s after T0 (its LaunchTime): a restart is no launch"}},
		{"first launched after T0: rogue, by its first launch",
			aws.Instance{ID: "i-2", Region: "us-east-1", Type: "m5.large", FirstLaunch: recent, LaunchTime: recent, KeyName: "ops"}, VerdictRogue,
			[]string{"launched 30m0s after"}},
		{"a new key pair on an instance first launched before T0: suspicious, not rogue",
			aws.Instance{ID: "i-3", Region: "us-east-1", Type: "m5.large", FirstLaunch: old, LaunchTime: recent, KeyName: "fresh"}, VerdictSuspicious,
			[]string{"key pair fresh was created after T0, but the instance was first launched before it", "a restart is no launch"}},
		{"a new key pair on an instance first launched after T0: rogue",
			aws.Instance{ID: "i-4", Region: "us-east-1", Type: "m5.large", FirstLaunch: recent, LaunchTime: recent, KeyName: "fresh"}, VerdictRogue,
			[]string{"launched", "key pair fresh was created after T0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkVerdict(t, rules.judge(tt.in, facts), tt.want, tt.reasons) })
	}
}

// checkVerdict compares a judged instance with the verdict and the reasons, in order, it should have.
func checkVerdict(t *testing.T, got RogueInstance, want Verdict, reasons []string) {
	t.Helper()
	if got.Verdict != want {
		t.Fatalf("verdict %s, want %s (reasons %q)", got.Verdict, want, got.Reasons)
	}
	if len(got.Reasons) != len(reasons) {
		t.Fatalf("reasons %q, want %d of them", got.Reasons, len(reasons))
	}
	for i, w := range reasons {
		if !strings.Contains(got.Reasons[i], w) {
			t.Errorf("reason %d is %q, want it to mention %q", i, got.Reasons[i], w)
		}
	}
}
