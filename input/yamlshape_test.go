package input

import (
	"fmt"
	"strings"
	"testing"
)

var runbookLike = Limits{Depth: 64, Entries: 1000, Keys: 200, Nodes: 20_000}

func wideMapping(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d: v\n", i)
	}
	return b.String()
}

func TestYAMLPastItsLimitsIsFoundWhereItGoesPast(t *testing.T) {
	head := "id: x\ntitle: y\nsteps:\n  - id: a\n    title: A\n    action: identity.confirm\n    with:\n      usual_regions: "
	var indented strings.Builder
	for i := range 70 {
		fmt.Fprintf(&indented, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	tests := []struct {
		name, text string
		want       Exceeded
	}{
		// The brackets start at column 22, inside four block levels (the runbook, the steps, the
		// step, its "with"), so the 61st bracket, at column 82, is the 65th level.
		{"a hundred thousand brackets", head + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), Exceeded{TooDeep, 8, 82, 64}},
		{"lists in lists on one line", "id: x\nsteps:\n" + strings.Repeat("- ", 100_000) + "a\n", Exceeded{TooDeep, 3, 129, 64}},
		{"mappings indented ever deeper", indented.String(), Exceeded{TooDeep, 65, 65, 64}},
		{"mappings in braces", "id: x\nsteps: " + strings.Repeat("{a: ", 100) + "b" + strings.Repeat("}", 100), Exceeded{TooDeep, 2, 260, 64}},
		// A mapping's keys cost the parser the square of their number: 8,000 took it a second.
		{"a mapping of 2,000 keys", wideMapping(2000), Exceeded{TooManyKeys, 201, 1, 200}},
		{"a mapping of 300 keys in braces", "a: {" + strings.Repeat("k: v, ", 300) + "}", Exceeded{TooManyKeys, 1, 1203, 200}},
		{"a list of 2,000 entries", "a:\n" + strings.Repeat("  - x\n", 2000), Exceeded{TooWide, 1002, 3, 1000}},
		{"a list of 2,000 entries in brackets", "id: x\nsteps: [" + strings.Repeat("a, ", 2000) + "a]\n", Exceeded{TooWide, 2, 3007, 1000}},
		{"more values than any runbook has", manyValues(), Exceeded{TooMany, 1671, 10, 20_000}},
		{"an alias", "a: &x [1]\nb: *x\n", Exceeded{AnchorFound, 1, 4, 0}},
		{"columns count characters", "é: " + strings.Repeat("[", 65), Exceeded{TooDeep, 1, 67, 64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, brk := range []string{"\n", "\r\n", "\r"} {
				got := MeasureYAML([]byte(strings.ReplaceAll(tt.text, "\n", brk)), runbookLike)
				if got == nil || *got != tt.want {
					t.Errorf("with %q line breaks: got %+v, want %+v", brk, got, tt.want)
				}
			}
		})
	}
}

// manyValues is 4 mappings of 500 lists of 10: each line counts 12 (its entry, the list and
// each of its commas), so the 20,001st is the second comma of line 1,671.
func manyValues() string {
	var b strings.Builder
	for g := range 4 {
		fmt.Fprintf(&b, "g%d:\n%s", g, strings.Repeat("  - [a, b, c, d, e, f, g, h, i, j]\n", 500))
	}
	return b.String()
}

// TestNothingHidesStructureFromTheMeter feeds texts where a line could be taken for text by the
// meter and for structure by a parser: every one must still be counted.
func TestNothingHidesStructureFromTheMeter(t *testing.T) {
	wide := wideMapping(1500)
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n"
	tests := []struct{ name, text string }{
		{"a quote left open at the end of a line", "a: \"x\n" + wide},
		{"a quote opening a plain scalar's next line", "a: word\n  \"x\n" + wide},
		{"a bracket opening a plain scalar's next line", "a: word\n  [ x\n" + wide},
		{"a block scalar on the line under its key", "a:\n  |\n" + wide},
		{"a block scalar whose text ends", "a: |\n  text\n" + wide},
		{"a block scalar under a list entry", "- |\n  text\n" + wide},
		{"a block scalar in a deeper entry", "- - - k: |\n      x\n   " + deep},
		{"a tab before the brackets", "a:\n\t" + deep},
		{"a document after a block scalar", "--- |\n  text\n---\n" + wide},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MeasureYAML([]byte(tt.text), runbookLike); got == nil {
				t.Errorf("nothing found in:\n%.200s", tt.text)
			}
		})
	}
}

func TestOrdinaryYAMLIsWithinTheLimits(t *testing.T) {
	text := `# a comment [[[[
id: x # another {{{{
description: |
  Brackets [ in { prose are text, and so is - this: * or & that.
    Even indented.
  ` + strings.Repeat("[", 80) + `
steps:
  - id: a
    guide: >-
      ` + strings.Repeat("{", 80) + `
    with:
      policy: '{"Statement":[{"Effect":"Allow","Action":["ec2:*"],
        "Resource":"*"}]}'
      other: "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"iam:*\"}}"
      list: [a, "b, c", 'd]', {e: f}]
      url: http://x/y#z
  - |
    ` + strings.Repeat("- ", 80) + `
---
second: document
`
	for _, brk := range []string{"\n", "\r\n", "\r"} {
		if got := MeasureYAML([]byte(strings.ReplaceAll(text, "\n", brk)), runbookLike); got != nil {
			t.Errorf("with %q line breaks: %v", brk, got)
		}
	}
	if got := MeasureYAML([]byte("a: &x [1]\nb: *x\n"), Limits{Depth: 4, Entries: 4, Keys: 4, Nodes: 10, Anchors: true}); got != nil {
		t.Errorf("anchors where they are allowed: %v", got)
	}
}

// BenchmarkMeasuringA100000DeepYAML is the measurement that stands before the parser: it must cost
// next to nothing whatever the file holds. Run with -benchmem.
func BenchmarkMeasuringA100000DeepYAML(b *testing.B) {
	data := []byte("id: x\nsteps: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n")
	b.ReportAllocs()
	for b.Loop() {
		if MeasureYAML(data, runbookLike) == nil {
			b.Fatal("accepted")
		}
	}
}

func TestTopLevelKeysAreThoseAtTheStartOfALine(t *testing.T) {
	text := "# c: x\nid: x\ntitle: a: b\nsteps:\n  - id: y\n    title: z\n---\nname: n\n- list\nurl:x\n"
	for _, brk := range []string{"\n", "\r\n", "\r"} {
		got := strings.Join(TopLevelKeys([]byte(strings.ReplaceAll(text, "\n", brk))), ",")
		if got != "id,title,steps,name" {
			t.Errorf("with %q line breaks: %s", brk, got)
		}
	}
}
