package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// updating reports whether -update asks for the golden files to be rewritten (the flag is
// teatest's golden package's, which this package links).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares a screen, as plain text, with testdata/screens/NAME.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "screens", name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./ui -run %s -update writes it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./ui -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

var sizes = [][2]int{{80, 24}, {120, 40}}

// sizeName is how golden files name a terminal size.
func sizeName(size [2]int) string { return fmt.Sprintf("%dx%d", size[0], size[1]) }

// readAll scrolls the panel with the keyboard from its top to its bottom, a line at a time, and
// returns every screen on the way.
func (d *drillSession) readAll() []string {
	d.t.Helper()
	for range 200 {
		d.press("pgup")
	}
	screens := []string{d.screen()}
	same := 0
	for range 400 {
		d.press("down")
		s := d.screen()
		// Two rows may read alike: only many presses that change nothing mean the end.
		if s == screens[len(screens)-1] {
			if same++; same == 5 {
				break
			}
			continue
		}
		same = 0
		screens = append(screens, s)
	}
	return screens
}

var rowRange = regexp.MustCompile(`rows (\d+)–(\d+) of (\d+)`)

// everyLineReachable checks that scrolling showed every line above the rows (as the panel wraps
// them) and every row, and that no screen left rows of the panel empty while it said more lay
// above or below.
func everyLineReachable(t *testing.T, screens []string, head []string) {
	t.Helper()
	seen := map[string]bool{}
	rows := map[int]bool{}
	total := 0
	for _, s := range screens {
		for _, l := range strings.Split(s, "\n") {
			_, right, _ := strings.Cut(l, "│")
			seen[strings.TrimSpace(right)] = true
		}
		for _, m := range rowRange.FindAllStringSubmatch(s, -1) {
			from, _ := strconv.Atoi(m[1])
			to, _ := strconv.Atoi(m[2])
			total, _ = strconv.Atoi(m[3])
			for i := from; i <= to; i++ {
				rows[i] = true
			}
		}
	}
	for _, h := range head {
		if text := strings.TrimSpace(ansi.Strip(h)); text != "" && !seen[text] {
			t.Errorf("the line %q above the rows is never shown", text)
		}
	}
	for i := 1; i <= total; i++ {
		if !rows[i] {
			t.Errorf("row %d of %d is never shown", i, total)
		}
	}
}

// goldenAndReachable compares the step's first screen at each size with its golden file, then
// reads it whole with the keyboard at each size.
func goldenAndReachable(t *testing.T, d *drillSession, name string) {
	t.Helper()
	for _, size := range sizes {
		d.deliver(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		golden(t, name+"-"+sizeName(size), d.screen())
	}
	for _, size := range sizes {
		d.deliver(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		p := d.m.current()
		everyLineReachable(t, d.readAll(), wrapLines(p.foundHeader(), p.width))
	}
}

// The verification lists 21 items before anything is done: at 80×24 and 120×40 every line of it
// is reachable with the row keys, and the first screen is the golden one.
func TestGoldenVerificationScreensShowEveryLine(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	v := d.verifyNow()
	if n := len(v.Checks); n < 20 {
		t.Fatalf("the verification lists %d items, want 20 or more", n)
	}
	goldenAndReachable(t, d, "verification")
}

// The trace's screen at both sizes, every line reachable; its columns that do not fit are in the
// opened row, whole.
func TestGoldenTraceScreensShowEveryLine(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("trace-attacker")
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the trace")
	goldenAndReachable(t, d, "trace")
	d.deliver(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.press("/")
	d.typeText("AuthorizeSecurityGroupIngress")
	d.press("enter", "enter")
	mustContain(t, "the opened row at 80×24", d.screen(), "AuthorizeSecurityGroupIngress", "Handled by:")
}

// dialogLines are the lines inside a dialog's border on a screen, trimmed.
func dialogLines(screen string) []string {
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		first, last := strings.Index(l, "│"), strings.LastIndex(l, "│")
		if first >= 0 && last > first {
			out = append(out, strings.TrimSpace(l[first+len("│"):last]))
		}
	}
	return out
}

// The tallest dialog of the drill, the termination's confirmation (15 changes, a warning and a
// question that wrap to 45 lines at 80 columns): its first screen at each size is the golden one,
// the question stays in view, and ↓ brings every line of it into view.
func TestGoldenTallestDialogScreensShowEveryLine(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.planTermination()
	for _, size := range sizes {
		d.deliver(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for range 100 {
			d.press("pgup")
		}
		golden(t, "terminate-confirmation-"+sizeName(size), d.screen())
		seen := map[string]bool{}
		last := ""
		for range 200 {
			s := d.screen()
			if s == last {
				break
			}
			for _, l := range dialogLines(s) {
				seen[l] = true
			}
			if !strings.Contains(s, "Type 12 to confirm") {
				t.Errorf("%s: the question is out of view:\n%s", sizeName(size), s)
			}
			last = s
			d.press("down")
		}
		// The whole dialog, drawn as tall as it is: every line of it must have been on screen.
		height := d.m.confirm.height
		d.m.confirm.height = 1000
		whole := ansi.Strip(d.m.confirm.View())
		d.m.confirm.height = height
		all := dialogLines(whole)
		if len(all) < 30 {
			t.Fatalf("the confirmation has %d lines, not the tallest dialog any more:\n%s", len(all), whole)
		}
		for _, l := range all {
			if !seen[l] {
				t.Errorf("%s: the line %q of the confirmation is never shown", sizeName(size), l)
			}
		}
	}
}
