package sim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/aws/sim"
)

const header = "name: x\naccount: {id: \"111122223333\"}\n"

func TestScenariosOverTheLimitsAreRefusedAtTheirPlace(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // parts of the error, the place first
	}{
		{"100,000 nested brackets", header + "ec2: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000),
			[]string{"f.yaml:3:", "nested more than 32 levels"}},
		{"100,000 nested list entries", header + "iam:\n  users: " + "\n" + strings.Repeat("- ", 100_000) + "x\n",
			[]string{"f.yaml:5:", "nested more than 32 levels"}},
		{"a list longer than any scenario needs", header + "regions:\n" + strings.Repeat("  - {name: r, opt_in: opted-in}\n", 2001),
			[]string{"f.yaml:2004:3", "more than 2000 entries"}},
		{"a flow list longer than any scenario needs", header + "regions: [" + strings.Repeat("{name: r, opt_in: opted-in}, ", 2001) + "]",
			[]string{"f.yaml:3:", "more than 2000 entries"}},
		{"two billion generated instances", header + "ec2:\n  generate:\n    - {region: us-east-1, count: 2000000000, type: t3.micro}\n",
			[]string{"f.yaml:5:", "ec2.generate[0].count", "2000000000", "limit of 100000"}},
		{"an attacker acting every nanosecond", header + "attacker:\n  events:\n    - {service: sts, action: GetCallerIdentity, every: 1ns}\n",
			[]string{"f.yaml:5:", "attacker.events[0].every", "1ns", "limit of 1s"}},
		{"an attacker repeating two billion times", header + "attacker:\n  events:\n    - service: sts\n      action: GetCallerIdentity\n      every: 1m\n      times: 2000000000\n",
			[]string{"f.yaml:8:14", "attacker.events[0].times", "limit of 10000"}},
		{"aliases that could expand without bound", header + "description: &a hello\nname: *a\n",
			[]string{"f.yaml:3:14", "aliases are not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.ParseScenario("f.yaml", []byte(tt.text))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error lacks %q: %.300s", w, err)
				}
			}
			if !strings.HasPrefix(err.Error(), tt.want[0]) {
				t.Fatalf("error does not start with its place: %.300s", err)
			}
		})
	}
}

func TestAScenarioFileOverTheSizeLimitIsRefusedWithoutReadingItWhole(t *testing.T) {
	file := filepath.Join(t.TempDir(), "huge.yaml")
	text := header + "description: |\n" + strings.Repeat("  "+strings.Repeat("x", 98)+"\n", sim.MaxScenarioBytes/100+10)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sim.LoadScenario(file)
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") || !strings.HasPrefix(err.Error(), file+":") {
		t.Fatalf("got %v", err)
	}
}

func TestTheShapeCheckLeavesOrdinaryYAMLAlone(t *testing.T) {
	_, err := sim.ParseScenario("ok.yaml", []byte(header+`description: |
  Brackets [ in { prose are text, and so is - this: * or & that.
    Even indented.
iam:
  users:
    - name: dev
      inline_policies:
        a: '{"Statement":[{"Effect":"Allow","Action":["ec2:*"],
             "Resource":"*"}]}'
        b: "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"iam:*\", \"Resource\": \"*\"}}"
attacker:
  events:
    - {at: +1m, service: sts, action: GetCallerIdentity, note: "a [note], with * and &"}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sim.ScenarioNames() {
		if _, err := sim.LoadScenario(name); err != nil {
			t.Fatalf("built-in %s: %v", name, err)
		}
	}
}

func BenchmarkRefusingA100000DeepScenario(b *testing.B) {
	text := []byte(header + "ec2: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sim.ParseScenario("deep.yaml", text); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkParsingTheLargestScenarioAllowed measures the worst a scenario within the limits can cost
// the parser and decoder: as many values as allowed, in mappings of as many keys as allowed, whose
// cost grows with the square of their keys.
func BenchmarkParsingTheLargestScenarioAllowed(b *testing.B) {
	var s strings.Builder
	s.WriteString(header + "iam:\n  users:\n")
	for u, nodes := 0, 6; nodes+sim.MaxScenarioKeys+3 < sim.MaxScenarioValues; u++ {
		fmt.Fprintf(&s, "    - name: u%d\n      inline_policies:\n", u)
		for k := 0; k < sim.MaxScenarioKeys; k++ {
			fmt.Fprintf(&s, "        p%d: '{}'\n", k)
		}
		nodes += sim.MaxScenarioKeys + 3
	}
	text := []byte(s.String())
	if _, err := sim.ParseScenario("large.yaml", text); err != nil {
		b.Fatalf("the largest scenario allowed is refused: %.300v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sim.ParseScenario("large.yaml", text)
	}
}

func TestTheBenchmarkScenarioServesTwentyFourRegionsWithAddedLatency(t *testing.T) {
	sc, err := sim.LoadScenario(filepath.Join("..", "..", "bench", "bench-24-regions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	enabled := sc.EnabledRegions()
	if enabled != 24 || len(sc.Faults) != 1 || sc.Faults[0].Latency != "100ms" {
		t.Fatalf("%d enabled regions, faults %+v", enabled, sc.Faults)
	}
	if _, err := sim.New(sc, sim.Options{}); err != nil {
		t.Fatal(err)
	}
}
