package runbooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nestedBrackets is the file that took the parser 39 s and 14.7 GB: a step whose parameter is
// 100,000 lists inside each other, 200 KB in all.
func nestedBrackets(depth int) []byte {
	head := "id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    action: identity.confirm\n    with:\n      usual_regions: "
	return []byte(head + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
}

func parseProblems(t *testing.T, data []byte) Problems {
	t.Helper()
	_, err := Parse("f.yaml", data, testRegistry())
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("want problems, got %v", err)
	}
	return problems
}

type shapeCase struct {
	name string
	data []byte
	want string
}

func expectProblems(t *testing.T, tests []shapeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := parseProblems(t, tt.data)
			if got := problems.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDeeplyNestedRunbooksAreRefusedBeforeParsing(t *testing.T) {
	// The brackets start at column 22, inside four block levels (the runbook, the steps, the
	// step, its "with"), so the 61st bracket, at column 82, is the 65th level.
	tests := []shapeCase{
		{"a hundred thousand brackets", nestedBrackets(100_000),
			"f.yaml:8:82: lists and mappings are nested more than 64 levels deep here; a runbook needs a handful (is this the right file?)"},
		{"brackets just past the limit", nestedBrackets(62),
			"f.yaml:8:82: lists and mappings are nested more than 64 levels deep here; a runbook needs a handful (is this the right file?)"},
		{"lists in lists on one line", []byte("id: x\nsteps:\n" + strings.Repeat("- ", 100_000) + "a\n"),
			"f.yaml:3:129: lists and mappings are nested more than 64 levels deep here; a runbook needs a handful (is this the right file?)"},
		{"mappings indented ever deeper", []byte(indentedMappings(70)),
			"f.yaml:65:65: lists and mappings are nested more than 64 levels deep here; a runbook needs a handful (is this the right file?)"},
		{"mappings in braces", []byte("id: x\nsteps: " + strings.Repeat("{a: ", 100) + "b" + strings.Repeat("}", 100) + "\n"),
			"f.yaml:2:260: lists and mappings are nested more than 64 levels deep here; a runbook needs a handful (is this the right file?)"},
	}
	expectProblems(t, tests)
}

func indentedMappings(depth int) string {
	var b strings.Builder
	for i := range depth {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	return b.String()
}

func TestWideRunbooksAreRefusedBeforeParsing(t *testing.T) {
	var keys strings.Builder
	keys.WriteString("id: x\ntitle: y\nsteps: []\n")
	for i := range 2000 {
		fmt.Fprintf(&keys, "k%d: v\n", i)
	}
	tests := []shapeCase{
		// The mapping's width is what makes the parser slow: 60,000 keys took it 50 s, 8,000 one.
		{"a mapping of 2,000 keys", []byte(keys.String()),
			"f.yaml:201:1: more than 200 keys in one mapping; a runbook needs far fewer (is this the right file?)"},
		{"a list of 2,000 entries in brackets", []byte("id: x\nsteps: [" + strings.Repeat("a, ", 2000) + "a]\n"),
			"f.yaml:2:3007: more than 1000 entries in one list; a runbook needs far fewer (is this the right file?)"},
	}
	expectProblems(t, tests)
}

func TestOversizedRunbooksAreRefusedWhereTheyCrossTheLimit(t *testing.T) {
	line := "# " + strings.Repeat("x", 1021) + "\n" // 1 KiB a line
	data := []byte("id: x\ntitle: y\nsteps: []\n" + strings.Repeat(line, 300))
	want := "f.yaml:259:1000: the file is larger than 256 KiB, the most a runbook may be (the built-in one is 25 KiB); is this the right file?"
	if got := parseProblems(t, data).Error(); got != want {
		t.Errorf("Parse: got  %s\nwant %s", got, want)
	}
	// Load reads no more of a huge file than the limit.
	path := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, testRegistry())
	if want := path + want[len("f.yaml"):]; err == nil || err.Error() != want {
		t.Errorf("Load: got  %v\nwant %s", err, want)
	}
}

func TestAliasesInsideAValueAreRefusedNotExpanded(t *testing.T) {
	// Each level doubles the last: decoding the list would build 2^40 strings.
	var b strings.Builder
	b.WriteString("id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    action: ec2.find-rogue-instances\n    with:\n      usual_regions: [&l0 [x, x]")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, ", &l%d [*l%d, *l%d]", i, i-1, i-1)
	}
	b.WriteString("]\n")
	problems := parseProblems(t, []byte(b.String()))
	want := "f.yaml:8:40: aliases (*name) are not supported in runbooks; write the value out"
	if len(problems) == 0 || problems[0].String() != want {
		t.Errorf("got  %v\nwant first %s", problems, want)
	}
}

// BenchmarkValidateDeeplyNested measures the refusal of the 200 KB, 100,000-deep runbook, which
// took 39 s and 14.7 GB before its shape was checked; run with -benchmem.
func BenchmarkValidateDeeplyNested(b *testing.B) {
	data := nestedBrackets(100_000)
	reg := testRegistry()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("f.yaml", data, reg); err == nil {
			b.Fatal("a 100,000-deep runbook was accepted")
		}
	}
}

// BenchmarkValidateLargestAllowed measures the worst a runbook within the limits can cost the parser:
// as many values as allowed, in mappings of as many keys as allowed, whose cost grows with the
// square of their keys.
func BenchmarkValidateLargestAllowed(b *testing.B) {
	var s strings.Builder
	s.WriteString("id: x\ntitle: y\nsteps: []\n")
	nodes := 3
	for i := 0; nodes+MaxYAMLKeys < MaxYAMLNodes; i++ {
		fmt.Fprintf(&s, "m%d:\n", i)
		for k := 0; k < MaxYAMLKeys; k++ {
			fmt.Fprintf(&s, "  k%d: v\n", k)
		}
		nodes += MaxYAMLKeys + 1
	}
	data := []byte(s.String())
	if e := MeasureRunbook(data); e != nil || len(data) > MaxRunbookBytes {
		b.Fatalf("the largest runbook allowed is refused: %v (%d bytes)", e, len(data))
	}
	reg := testRegistry()
	b.ReportAllocs()
	for b.Loop() {
		Parse("f.yaml", data, reg)
	}
}
