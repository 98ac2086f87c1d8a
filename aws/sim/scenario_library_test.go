package sim

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestEveryBuiltinScenarioIsADrillWithInstancesInThreeRegionsAndIAMUsers(t *testing.T) {
	t.Parallel()
	names := ScenarioNames()
	for _, want := range []string{"crypto-miner", "persistence", "false-positive", "temporary-credentials", "own-key", "large-noisy", "org-pivot", "lingering-access"} {
		if !slices.Contains(names, want) {
			t.Errorf("no built-in scenario %s among %v", want, names)
		}
	}
	for _, name := range names {
		sc, err := LoadScenario(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		regions := map[string]bool{}
		for _, spec := range append([]EC2Spec{sc.EC2}, memberEC2(sc)...) {
			for _, in := range spec.Instances {
				regions[in.Region] = true
			}
			for _, f := range spec.Generate {
				regions[f.Region] = true
			}
		}
		switch {
		case sc.Name != name:
			t.Errorf("%s is called %q inside", name, sc.Name)
		case !slices.Contains(Difficulties, sc.Difficulty) || sc.Brief == "" || strings.Contains(sc.Brief, "\n"):
			t.Errorf("%s: difficulty %q and brief %q; drill --list needs both, the brief on one line", name, sc.Difficulty, sc.Brief)
		case len(regions) < 3 || len(sc.IAM.Users) == 0:
			t.Errorf("%s: instances in %d regions and %d IAM users; a drill needs 3 regions or more and users", name, len(regions), len(sc.IAM.Users))
		case sc.Par.Times().Contained == 0 || len(sc.Goals) == 0 || sc.Alert.Text == "":
			t.Errorf("%s: a drill needs par times, goals and an alert for the briefing", name)
		}
	}
}

// memberEC2 is the EC2 of an organization scenario's members: a drill of an organization may keep
// its instances in the members.
func memberEC2(sc *Scenario) []EC2Spec {
	if sc.Organization == nil {
		return nil
	}
	var out []EC2Spec
	for _, m := range sc.Organization.Members {
		out = append(out, m.EC2)
	}
	return out
}

func TestTheOrgPivotScenarioIsAFortyMemberOrganizationWithThreeEnteredAndOneUnreachable(t *testing.T) {
	t.Parallel()
	sc, err := LoadScenario("org-pivot")
	if err != nil {
		t.Fatal(err)
	}
	members, err := sc.Organization.members()
	if err != nil {
		t.Fatal(err)
	}
	entered, unreachable := 0, 0
	for _, m := range members {
		for _, ss := range m.State.Attacker.Sessions {
			if ss.Role == DefaultAccessRole && ss.By == "" {
				entered++ // assumed with the leaked management key
			}
		}
		if sc.Organization.accessRole(m) == "" {
			unreachable++
		}
	}
	if len(members) != 40 || entered != 3 || unreachable != 1 {
		t.Errorf("%d members, %d entered with the leaked key, %d without an access role; want 40, 3, 1", len(members), entered, unreachable)
	}
}

func TestTheLargeNoisyScenarioIsLargeAndNoisy(t *testing.T) {
	t.Parallel()
	sc, err := LoadScenario("large-noisy")
	if err != nil {
		t.Fatal(err)
	}
	enabled := sc.EnabledRegions()
	var denied, slow []string
	throttle := 0.0
	for _, f := range sc.Faults {
		switch {
		case f.Deny:
			denied = append(denied, f.Region)
		case f.Latency != "":
			slow = append(slow, f.Region)
		case f.Region == "" && f.Service == "" && f.Action == "":
			throttle = f.Throttle
		}
	}
	if enabled != 24 || sc.InstanceCount() < 10_000 || throttle != 0.2 || len(denied) != 1 || len(slow) != 1 {
		t.Errorf("%d enabled regions, %d instances, %.2f of calls throttled, denied %v, slow %v; want 24, 10000 or more, 0.20, one each",
			enabled, sc.InstanceCount(), throttle, denied, slow)
	}
}

func TestEveryUnknownKeyOfAScenarioIsPlacedWithTheClosestKnownOne(t *testing.T) {
	t.Parallel()
	text := `name: typos
acount: {id: "111122223333"}
iam:
  users:
    - name: dev
      acess_keys: []
ec2:
  instances:
    - {region: us-east-1, "type": t3.micro, tags: {"any:key": x}, laucnhed: -1d}
attacker:
  events:
    - {service: ec2, action: RunInstances, params: {Anything: 1, Goes: {here: 2}}}
`
	_, err := ParseScenario("f.yaml", []byte(text))
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("want Problems, got %v", err)
	}
	want := []string{
		`f.yaml:2:1: unknown key "acount" at the top of the scenario (did you mean "account"?)`,
		`f.yaml:6:7: unknown key "acess_keys" in iam.users[0] (did you mean "access_keys"?)`,
		`f.yaml:9:67: unknown key "laucnhed" in ec2.instances[0] (did you mean "launched"?)`,
	}
	if len(problems) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(problems), len(want), problems)
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i].String(), w) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, problems[i], w)
		}
	}
}

func TestTheKeyTreeFollowsTheLoadersTypesIncludingInlineFields(t *testing.T) {
	t.Parallel()
	kt := ScenarioKeys()
	fleet := kt.Fields["ec2"].Fields["generate"].Items
	for _, key := range []string{"count", "name", "region", "type", "by"} {
		if fleet.Fields[key] == nil {
			t.Errorf("ec2.generate entries lack %q: %v", key, fleet.Names())
		}
	}
	if kt.Fields["ec2"].Fields["instances"].Items.Fields["tags"].Values == nil {
		t.Error("instance tags are not a free-keyed mapping")
	}
	if p := kt.Fields["attacker"].Fields["events"].Items.Fields["params"]; p.Values == nil || p.Values.Fields != nil {
		t.Error("attacker call parameters should take any key and any value")
	}
}

// BenchmarkStartingTheLargeNoisyScenario measures what a drill of large-noisy waits for before its
// briefing: building ten thousand instances and their history.
func BenchmarkStartingTheLargeNoisyScenario(b *testing.B) {
	sc, err := LoadScenario("large-noisy")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(sc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAScenarioValueThatIsWrongIsPlacedWhereItIs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ text, want string }{
		{"name: x\naccount: {id: \"1234\"}\n", `f.yaml:2:15: account.id: must be 12 digits, got "1234"`},
		{"name: x\naccount: {id: \"111122223333\"}\nec2:\n  instances:\n    - {type: t3.micro}\n", "f.yaml:5:8: ec2.instances[0]: an instance's region is required"},
		{"name: x\naccount: {id: \"111122223333\"}\nfaults:\n  - {region: us-east-1}\n  - {throttle: 2}\n", "f.yaml:5:16: faults[1].throttle: a share between 0 and 1, got 2"},
	} {
		_, err := ParseScenario("f.yaml", []byte(tt.text))
		var problems Problems
		if !errors.As(err, &problems) || len(problems) != 1 || problems[0].String() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.text, err, tt.want)
		}
	}
}
