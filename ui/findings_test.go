package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

func bigTable(n int) *steps.Table {
	t := &steps.Table{Selectable: true, Columns: []steps.Column{{Title: "Region"}, {Title: "Instance"}, {Title: "Type"}, {Title: "Launched"}}}
	tones := []steps.Tone{steps.ToneRogue, steps.ToneSuspicious, steps.ToneOK, steps.ToneProtected, steps.ToneFailed}
	for i := range n {
		t.Rows = append(t.Rows, steps.Row{
			ID:       fmt.Sprintf("i-%017d", i),
			Cells:    []string{"us-east-1", fmt.Sprintf("i-%017d", i), "p3.16xlarge", "2026-11-28T02:00:00Z"},
			Tone:     tones[i%len(tones)],
			Selected: i%2 == 0,
			Reasons:  []string{"launched after T0", "GPU instance type"},
		})
	}
	return t
}

func TestFindingsTableSelection(t *testing.T) {
	ctx := NewContext(steps.DryRun, time.Time{})
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"starts from the action's proposal", nil, 5},
		{"space toggles the row under the cursor", []string{"space"}, 4},
		{"a selects every row", []string{"a"}, 10},
		{"n selects none", []string{"n"}, 0},
		{"moving then toggling adds a row", []string{"j", "space"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFindingsTable(ctx, bigTable(10))
			f.SetSize(80, 12)
			for _, k := range tt.keys {
				f.Update(keyMsg(k))
			}
			if got := len(f.SelectedIDs()); got != tt.want {
				t.Errorf("%d selected, want %d", got, tt.want)
			}
		})
	}
}

func TestFindingsTableShowsOnlyTheVisibleRowsAndTheReasons(t *testing.T) {
	ctx := NewContext(steps.DryRun, time.Time{})
	f := newFindingsTable(ctx, bigTable(20000))
	f.SetSize(80, 15)
	f.Update(keyMsg("pgdown"))
	got := ansi.Strip(f.View())
	if lines := strings.Count(got, "\n") + 1; lines > 15 {
		t.Errorf("view has %d lines, more than the 15 it was given:\n%s", lines, got)
	}
	if !strings.Contains(got, "of 20000") || !strings.Contains(got, "launched after T0") {
		t.Errorf("count or reasons missing:\n%s", got)
	}
	if strings.Contains(got, fmt.Sprintf("i-%017d", 0)) {
		t.Error("a row scrolled away is still drawn")
	}
}

func BenchmarkFindingsTableView20000(b *testing.B) {
	ctx := NewContext(steps.Live, time.Time{})
	ctx.Styles = NewStyles(false)
	f := newFindingsTable(ctx, bigTable(20000))
	f.SetSize(120, 40)
	f.cursor = 10000
	f.follow()
	b.ReportAllocs()
	for b.Loop() {
		_ = f.View()
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports any SGR sequence that sets a foreground or background colour.
func hasColour(s string) bool {
	for _, m := range colourSGR.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			if (n >= 30 && n <= 49 && n != 39 && n != 49) || (n >= 90 && n <= 107) {
				return true
			}
		}
	}
	return false
}

// BenchmarkWholeFrameWith20000Findings draws the whole screen (header, step list, guide, panel with
// a 20,000-row findings table, footer): the frame the operator waits for, not just the table.
func BenchmarkWholeFrameWith20000Findings(b *testing.B) {
	big := terminateAction()
	big.inspect = func(context.Context, func(steps.Progress)) (*steps.Inspection, error) {
		return &steps.Inspection{Summary: "20000 instances", Table: bigTable(20000)}, nil
	}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": big})
	m, _ := newTestModel(b, r)
	drain(m, m.Init())
	drain(m, press(m, "]"))
	// Building 20,000 rows can outlast drain's short wait on a loaded machine: give it time.
	for _, msg := range collectWithin(press(m, "i"), 30*time.Second) {
		_, next := m.Update(msg)
		drain(m, next)
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "of 20000") {
		b.Fatalf("the table is not on screen:\n%s", ansi.Strip(m.View().Content))
	}
	for b.Loop() {
		_ = m.View()
	}
}
