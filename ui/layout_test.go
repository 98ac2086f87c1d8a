package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

func TestATooSmallTerminalSaysSoInsteadOfDrawing(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 10})
	if got, want := screen(m), "terminal too small: need at least 60×16, have 50×10"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(screen(m), "too small") {
		t.Error("still too small after growing to 80×24")
	}
}

func TestTheScreenFitsEveryTerminalSizeFromTheMinimumUp(t *testing.T) {
	for _, size := range [][2]int{{60, 16}, {80, 24}, {120, 40}, {200, 60}} {
		m, clock := newTestModel(t, newFakeRunner(testBook(), testActions()))
		drain(m, m.Init())
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkFits(t, m, size)
		drain(m, press(m, "]", "i", "p", "A"))
		clock.advance(time.Second)
		checkFits(t, m, size)
	}
}

func checkFits(t *testing.T, m *Model, size [2]int) {
	t.Helper()
	lines := strings.Split(m.View().Content, "\n")
	if len(lines) > size[1] {
		t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > size[0] {
			t.Errorf("%dx%d: line %d is %d wide: %q", size[0], size[1], i, w, ansi.Strip(l))
		}
	}
	if !strings.Contains(ansi.Strip(lines[0]), "LIVE") {
		t.Errorf("%dx%d: mode badge missing from the header: %q", size[0], size[1], ansi.Strip(lines[0]))
	}
}

func TestHeaderShowsTheAccountOnceConfirmed(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	if !strings.Contains(screen(m), "account not confirmed") {
		t.Errorf("before the identity step:\n%s", screen(m))
	}
	drain(m, m.Init())
	head := strings.Join(strings.Split(screen(m), "\n")[:2], "\n")
	for _, want := range []string{"LIVE", "111122223333", "acme-prod", "arn:aws:iam::111122223333:user/oncall", "T0 +1h30m"} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q:\n%s", want, head)
		}
	}
}

func TestNoColorMeansNoColourCodes(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	r := newFakeRunner(testBook(), testActions())
	ctx := NewContext(steps.Live, time.Now().Add(-time.Hour))
	m := New(ctx, r)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drain(m, m.Init())
	drain(m, press(m, "]", "i"))
	screens := []string{m.View().Content}
	drain(m, press(m, "p"))
	screens = append(screens, m.View().Content)
	ctx.Now = func() time.Time { return time.Now().Add(time.Second) }
	drain(m, press(m, "A"))
	screens = append(screens, m.View().Content)
	for i, s := range screens {
		if hasColour(s) {
			t.Errorf("screen %d has colour codes: %q", i, s)
		}
	}
	if !hasColour(NewStyles(false).Live.Render("LIVE")) {
		t.Error("the colour check cannot see colours: it proves nothing")
	}
}

func TestSkipNeedsAReason(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "]", "s"))
	if m.reason == nil {
		t.Fatal("s did not ask for a reason")
	}
	drain(m, press(m, "enter"))
	if m.reason == nil || len(r.skips) != 0 {
		t.Fatal("an empty reason skipped the step")
	}
	typeText(m, "no EC2 in this account")
	drain(m, press(m, "enter"))
	if len(r.skips) != 1 || r.skips[0] != "terminate: no EC2 in this account" {
		t.Fatalf("skips = %q", r.skips)
	}
	if !strings.Contains(screen(m), "skipped: no EC2 in this account") {
		t.Errorf("skip not shown:\n%s", screen(m))
	}
}

func TestTheHeaderRemindsALiveRunWithoutAccountOfTheMissingGuard(t *testing.T) {
	tests := []struct {
		name     string
		mode     steps.Mode
		expected string
		want     bool
	}{
		{"live without --account is reminded", steps.Live, "", true},
		{"live with --account is not", steps.Live, "111122223333", false},
		{"a dry run changes nothing, so it is not", steps.DryRun, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRunner(testBook(), testActions())
			m, _ := newTestModel(t, r)
			m.ctx.Mode, m.ctx.ExpectedAccount = tt.mode, tt.expected
			drain(m, m.Init())
			if got := strings.Contains(screen(m), "no --account guard"); got != tt.want {
				t.Fatalf("reminder shown: %v, want %v:\n%s", got, tt.want, screen(m))
			}
		})
	}
}
