package debrief

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/runbooks"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var briefing = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return briefing.Add(d) }

const (
	leaked    = "AKIAEXAMPLELEAKED001"
	backdoor  = "AKIAEXAMPLEBACKDOOR1"
	responder = "AKIAEXAMPLERESPONDER"
)

// drillFacts is a small drill at 10x: the key deactivated at 20m on the attacker's clock (2m for
// the responder), the miners terminated at 60m (6m), contained at 80m (8m), one web server
// terminated by mistake and the backdoor user left behind.
func drillFacts() Facts {
	before := []sim.Holding{
		{Kind: sim.HoldingAccessKey, ID: leaked, User: "ci-deploy", State: "Active"},
		{Kind: sim.HoldingAccessKey, ID: backdoor, User: "support-sync", By: leaked, State: "Active"},
		{Kind: sim.HoldingUser, ID: "support-sync", By: leaked},
		{Kind: sim.HoldingUser, ID: "alice"},
		{Kind: sim.HoldingInstance, ID: "i-miner1", Region: "us-west-2", Type: "p3.16xlarge", KeyName: "xmr", By: leaked, Created: at(-time.Hour), State: "running"},
		{Kind: sim.HoldingInstance, ID: "i-web1", Region: "us-east-1", Type: "m5.large", KeyName: "deploy", Created: at(-100 * time.Hour), State: "running"},
		{Kind: sim.HoldingKeyPair, ID: "xmr", Region: "us-west-2"},
		{Kind: sim.HoldingKeyPair, ID: "deploy", Region: "us-east-1"},
	}
	after := []sim.Holding{
		{Kind: sim.HoldingAccessKey, ID: leaked, User: "ci-deploy", State: "Inactive", Disabled: at(20 * time.Minute)},
		{Kind: sim.HoldingAccessKey, ID: backdoor, User: "support-sync", By: leaked, State: "Inactive", Disabled: at(30 * time.Minute)},
		{Kind: sim.HoldingUser, ID: "support-sync", By: leaked},
		{Kind: sim.HoldingUser, ID: "alice"},
		{Kind: sim.HoldingInstance, ID: "i-miner1", Region: "us-west-2", Type: "p3.16xlarge", KeyName: "xmr", By: leaked, Created: at(-time.Hour), State: "terminated", Ended: at(time.Hour)},
		{Kind: sim.HoldingInstance, ID: "i-miner2", Region: "us-west-2", Type: "p3.8xlarge", KeyName: "xmr", By: leaked, Created: at(10 * time.Minute), State: "terminated", Ended: at(40 * time.Minute)},
		{Kind: sim.HoldingInstance, ID: "i-web1", Region: "us-east-1", Type: "m5.large", KeyName: "deploy", Created: at(-100 * time.Hour), State: "terminated", Ended: at(50 * time.Minute), EndedBy: responder},
		{Kind: sim.HoldingInstance, ID: "i-odd", Region: "us-west-2", Type: "x9.huge", By: leaked, Created: at(5 * time.Minute), State: "terminated", Ended: at(35 * time.Minute)},
		{Kind: sim.HoldingKeyPair, ID: "deploy", Region: "us-east-1"},
		{Kind: sim.HoldingKeyPair, ID: "xmr", Region: "us-west-2", State: "deleted", Ended: at(61 * time.Minute)},
		{Kind: sim.HoldingSession, ID: "ASIAEXAMPLESESSION01", Type: "deploy-role", Created: at(-2 * time.Hour), State: "active"},
	}
	return Facts{
		Scenario: "crypto-miner", Pace: 10, Briefing: briefing, End: at(100 * time.Minute), LeakedKey: leaked,
		Par: sim.ParTimes{KeyInactive: 5 * time.Minute, InstancesTerminated: 5 * time.Minute, Contained: 16 * time.Minute},
		Attacks: []sim.AttackRecord{
			{Time: at(2 * time.Minute), AccessKeyID: leaked},
			{Time: at(10 * time.Minute), AccessKeyID: leaked},
			{Time: at(22 * time.Minute), AccessKeyID: leaked, Code: "InvalidClientTokenId"},
			{Time: at(25 * time.Minute), AccessKeyID: backdoor},
			{Time: at(40 * time.Minute), AccessKeyID: backdoor, Code: "InvalidClientTokenId"},
		},
		Before: before, After: after, Attacker: map[string]bool{leaked: true, backdoor: true, "ASIAEXAMPLESESSION01": true},
		Containment: runbooks.Containment{Verdict: runbooks.Contained, Step: "Verify: is the attacker out?", At: at(80 * time.Minute)},
	}
}

func TestTheDebriefTimesEachMilestoneInTheRespondersTime(t *testing.T) {
	t.Parallel()
	d := Build(drillFacts())
	want := []struct {
		at, attackerAt time.Duration
	}{{2 * time.Minute, 20 * time.Minute}, {6 * time.Minute, time.Hour}, {8 * time.Minute, 80 * time.Minute}}
	for i, m := range d.Milestones {
		if !m.Reached || m.At != want[i].at || m.AttackerAt != want[i].attackerAt {
			t.Errorf("%s: reached %v at %s (attacker %s), want %s (%s)", m.Name, m.Reached, m.At, m.AttackerAt, want[i].at, want[i].attackerAt)
		}
	}
	if d.Length != 10*time.Minute || d.AttackerLength != 100*time.Minute {
		t.Errorf("length %s / %s", d.Length, d.AttackerLength)
	}
}

func TestTheScoreIsFullAtParLessBeyondAndCollateralCosts(t *testing.T) {
	t.Parallel()
	d := Build(drillFacts())
	// key: 2m under par 5m: 30/30; instances: 6m over par 5m: 30×5/6 = 25; contained: 8m under 16m: 40.
	if got := d.Score.Parts; got[0] != (Part{30, 30}) || got[1] != (Part{25, 30}) || got[2] != (Part{40, 40}) {
		t.Errorf("parts = %+v", got)
	}
	if d.Score.Penalty != 10 || d.Score.Points != 85 {
		t.Errorf("score = %+v, want 95 less one collateral", d.Score)
	}
	none := Build(Facts{Scenario: "x", Briefing: briefing, End: briefing})
	if none.Score.Scored || !strings.Contains(none.ScoreLine(), "no par times") {
		t.Errorf("a scenario without par: %+v %q", none.Score, none.ScoreLine())
	}
}

func TestCollateralIsWhatTheResponseTookFromTheAccountItself(t *testing.T) {
	t.Parallel()
	d := Build(drillFacts())
	if len(d.Collateral) != 1 || d.Collateral[0].line(d.Pace) != "instance i-web1 (m5.large) in us-east-1 terminated at +50m00s on the attacker's clock" {
		t.Errorf("collateral = %q", d.Collateral)
	}
	if len(d.StillHeld) != 2 || d.StillHeld[0] != "user support-sync" ||
		d.StillHeld[1] != "role session ASIAEXAMPLESESSION01 of deploy-role: still works until it expires or the role's sessions are revoked" {
		t.Errorf("still held = %q", d.StillHeld)
	}
}

func TestRogueInstanceHoursArePricedFromTheTable(t *testing.T) {
	t.Parallel()
	d := Build(drillFacts())
	// miner1: briefing → 60m, 1h at 24.48; miner2: 10m → 40m, 0.5h at 12.24; the odd type: 0.5h, unpriced.
	if d.InstanceHours != 2 || d.Cost != 24.48+6.12 || len(d.Unpriced) != 1 || d.Unpriced[0] != "x9.huge" {
		t.Errorf("hours %v, cost %v, unpriced %v", d.InstanceHours, d.Cost, d.Unpriced)
	}
	if dollars(1234.567) != "$1,234.57" || dollars(0) != "$0.00" {
		t.Errorf("dollars: %s %s", dollars(1234.567), dollars(0))
	}
}

func TestTheChartMarksCallsAndMilestonesWhereTheyFell(t *testing.T) {
	t.Parallel()
	lines := Build(drillFacts()).Chart.Lines()
	// 100 minutes over 48 columns: +2m in column 0, +10m in 4, +22m in 10, +20m (K) in 9.
	if !strings.HasPrefix(lines[1], leaked+" │█   █     ░ ") {
		t.Errorf("the leaked key's row: %q", lines[1])
	}
	if !strings.HasPrefix(lines[3], "milestones           │         K") {
		t.Errorf("the milestones row: %q", lines[3])
	}
}

// The same facts give the same debrief, byte for byte: compared with a golden file.
func TestTheDebriefIsTheSameForTheSameDrill(t *testing.T) {
	t.Parallel()
	var md bytes.Buffer
	if err := Build(drillFacts()).WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(Build(drillFacts()).Lines(), "\n") + "\n"
	for name, got := range map[string]string{"drill.md.golden": md.String(), "drill.txt.golden": text} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs (go test ./debrief -update rewrites it):\n%s", name, got)
		}
	}
}
