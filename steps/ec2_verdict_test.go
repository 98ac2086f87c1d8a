package steps

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"lockdown/aws"
)

var ec2T0 = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func TestVerdicts(t *testing.T) {
	facts := regionFacts{
		keys: map[string]time.Time{"ops": ec2T0.Add(-400 * 24 * time.Hour), "miner": ec2T0.Add(time.Hour)},
		spot: map[string]time.Time{"sir-old": ec2T0.Add(-time.Hour * 24), "sir-new": ec2T0.Add(time.Hour)},
	}
	rules := VerdictRules{Since: ec2T0, UsualRegions: []string{"us-east-1"}, AllowIDs: []string{"i-allowed"}, AllowTags: []string{"team=platform"}}
	old, recent := ec2T0.Add(-30*24*time.Hour), ec2T0.Add(2*time.Hour)
	tests := []struct {
		name    string
		in      aws.Instance
		want    Verdict
		reasons []string
	}{
		{"an old small instance in a usual region with a known key is ok",
			aws.Instance{ID: "i-1", Region: "us-east-1", Type: "m5.large", LaunchTime: old, KeyName: "ops"}, VerdictOK, nil},
		{"an instance launched after T0 is rogue",
			aws.Instance{ID: "i-2", Region: "us-east-1", Type: "t3.micro", LaunchTime: recent}, VerdictRogue, []string{"launched 2h0m0s after"}},
		{"a GPU instance in an unusual region launched after T0 lists every reason",
			aws.Instance{ID: "i-3", Region: "sa-east-1", Type: "p3.16xlarge", LaunchTime: recent, KeyName: "miner", SpotRequestID: "sir-new"}, VerdictRogue,
			[]string{"launched", "key pair miner was created after T0", "spot request sir-new", "GPU/accelerated", "region sa-east-1"}},
		{"an old very large instance is suspicious",
			aws.Instance{ID: "i-4", Region: "us-east-1", Type: "c5.24xlarge", LaunchTime: old, KeyName: "ops"}, VerdictSuspicious, []string{"very large"}},
		{"an old instance with a key the region does not know is suspicious",
			aws.Instance{ID: "i-5", Region: "us-east-1", Type: "m5.large", LaunchTime: old, KeyName: "gone"}, VerdictSuspicious, []string{"key pair gone is unknown"}},
		{"the protect tag wins over launched after T0, and the reasons stay visible",
			aws.Instance{ID: "i-6", Region: "us-east-1", Type: "g5.xlarge", LaunchTime: recent, Tags: map[string]string{"lockdown:protect": "true"}}, VerdictProtected,
			[]string{"protected: tagged lockdown:protect=true", "launched", "GPU"}},
		{"an allowlisted id is protected",
			aws.Instance{ID: "i-allowed", Region: "us-east-1", Type: "t3.micro", LaunchTime: recent}, VerdictProtected, []string{"its id is on the allowlist", "launched"}},
		{"an allowlisted tag is protected",
			aws.Instance{ID: "i-7", Region: "us-east-1", Type: "t3.micro", LaunchTime: recent, Tags: map[string]string{"team": "platform"}}, VerdictProtected, []string{"team=platform", "launched"}},
		{"a spot request older than T0 is no reason",
			aws.Instance{ID: "i-8", Region: "us-east-1", Type: "m5.large", LaunchTime: old, SpotRequestID: "sir-old"}, VerdictOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkVerdict(t, rules.judge(tt.in, facts), tt.want, tt.reasons) })
	}
}

func TestWithoutT0NothingIsRogueAndNoRegionIsInferred(t *testing.T) {
	scan := &aws.InstanceScan{Regions: []aws.RegionScan{{Region: "us-east-1", Instances: []aws.Instance{{ID: "i-1", Type: "p3.2xlarge", LaunchTime: ec2T0}}}}}
	if got := InferUsualRegions(scan, time.Time{}); got != nil {
		t.Fatalf("inferred %v", got)
	}
	if got := Judge(scan, VerdictRules{}); got[0].Verdict != VerdictSuspicious {
		t.Fatalf("got %s", got[0].Verdict)
	}
}

func TestInstancesAreSortedMostSuspiciousFirst(t *testing.T) {
	list := []RogueInstance{
		{Instance: aws.Instance{ID: "ok"}, Verdict: VerdictOK},
		{Instance: aws.Instance{ID: "prot"}, Verdict: VerdictProtected},
		{Instance: aws.Instance{ID: "sus"}, Verdict: VerdictSuspicious},
		{Instance: aws.Instance{ID: "rogue-1"}, Verdict: VerdictRogue, Reasons: []string{"a"}},
		{Instance: aws.Instance{ID: "rogue-3"}, Verdict: VerdictRogue, Reasons: []string{"a", "b", "c"}},
	}
	SortBySuspicion(list)
	var order []string
	for _, in := range list {
		order = append(order, in.ID)
	}
	if got := strings.Join(order, " "); got != "rogue-3 rogue-1 sus prot ok" {
		t.Fatalf("order %s", got)
	}
}

func TestSortBySuspicionPutsEveryInstanceInItsPlace(t *testing.T) {
	dice := rand.New(rand.NewPCG(1, 1))
	verdicts := []Verdict{VerdictOK, VerdictRogue, VerdictSuspicious, VerdictProtected}
	for n := range 60 {
		list := make([]RogueInstance, n)
		for i := range list {
			list[i] = RogueInstance{Instance: aws.Instance{ID: fmt.Sprintf("i-%03d", i), Region: []string{"a", "b"}[dice.IntN(2)],
				LaunchTime: time.Unix(int64(dice.IntN(5)), 0)}, Verdict: verdicts[dice.IntN(4)], Reasons: make([]string, dice.IntN(3))}
		}
		want := slices.Clone(list)
		sort.SliceStable(want, func(i, j int) bool { return moreSuspicious(&want[i], &want[j]) < 0 })
		SortBySuspicion(list)
		if !reflect.DeepEqual(list, want) {
			t.Fatalf("%d instances sorted as\n%v\nwant\n%v", n, list, want)
		}
	}
}
