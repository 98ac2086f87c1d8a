package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"lockdown/steps"
)

// footer is the last line of the screen: the keys.
func footerOf(screen string) string {
	lines := strings.Split(screen, "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// Wherever ? and q are keys (not text typed into a field), the footer ends with them, and the
// step list does not name "next step" twice.
func TestTheFooterAlwaysEndsWithKeysAndQuit(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(sizeName(size), func(t *testing.T) {
			t.Parallel()
			d := startDrillSession(t, drillOptions{mode: steps.Drill})
			d.deliver(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			check := func(where string) {
				t.Helper()
				if f := footerOf(d.screen()); !strings.HasSuffix(f, "? keys • q quit") {
					t.Errorf("%s: the footer ends %q:\n%s", where, f, d.screen())
				}
			}
			d.goTo("credential-inventory")
			check("a step not yet inspected")
			d.inspect()
			check("the rows")
			d.press("enter")
			check("an opened row")
			d.press("esc", "tab", "tab")
			check("the step list")
			if f := footerOf(d.screen()); strings.Contains(f, "] next step") && strings.Contains(f, "↓/j next step") {
				t.Errorf("the step list's footer names next step twice: %q", f)
			}
			d.press("?")
			check("the ? list")
			d.press("esc")
			d.goTo("require-password-reset")
			d.inspect()
			d.plan()
			check("a plan")
			d.press("A")
			d.clock.advance(time.Second)
			check("a yes/no confirmation")
			d.press("n")
			d.m.ctx.Debrief = func() []string { return []string{"Drill debrief"} }
			d.press("q")
			check("the debrief")
		})
	}
}

// The ▶ marker is on the pane whose keys act: the rows' keys pressed from the step list move the
// keyboard, and the marker, to the rows, and j then moves to the next row, not the next step.
func TestTheFocusMarkerFollowsTheKeysAndJMovesTheRow(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.deliver(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.goTo("credential-inventory")
	d.inspect()
	d.press("tab", "tab") // to the step list
	if !strings.Contains(d.screen(), "▶ Steps") {
		t.Fatalf("tab twice did not mark the step list:\n%s", d.screen())
	}
	d.press("space") // a row key, from the step list
	got := d.screen()
	if strings.Contains(got, "▶ Steps") || !strings.Contains(got, "▶ action") {
		t.Errorf("space acted on the rows but the marker did not follow:\n%s", got)
	}
	before := d.m.current().table.cursor
	d.press("j")
	if d.m.Focused() != "credential-inventory" || d.m.current().table.cursor != before+1 {
		t.Errorf("j moved to step %s, row %d (from row %d): want the next row", d.m.Focused(), d.m.current().table.cursor, before)
	}
}

// At --pace 10x the panels' "as of" and the stale mark read the drill's clock, as the journal
// and the header do, not the responder's wall clock.
func TestAsOfTimesAreOnTheDrillsClock(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.m.ctx.AccountNow = func() time.Time { return time.Date(2026, 11, 28, 7, 31, 9, 0, time.UTC) }
	d.goTo("credential-inventory")
	d.inspect()
	if got := d.screen(); !strings.Contains(got, "as of: 07:31:09") {
		t.Errorf("the inventory is not timed on the drill's clock:\n%s", got)
	}
}

// A yes/no confirmation that receives the account id, typed for a dialog the operator expected,
// does not take the enter after it as "no": it says what it expects and stays open.
func TestAYesNoQuestionSaysWhatItExpectsWhenTypedAt(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("require-password-reset")
	d.inspect()
	d.plan()
	d.openConfirm()
	if d.m.confirm.destructive() {
		t.Fatal("the password resets ask a yes/no question; this test needs one")
	}
	d.typeText(drillAccount)
	d.press("enter")
	if d.m.confirm == nil {
		t.Fatalf("enter after the typed account id cancelled the question silently:\n%s", d.screen())
	}
	mustContain(t, "the question", d.screen(), "asks only y (apply) or n (cancel)")
	d.press("n")
	if d.m.confirm != nil {
		t.Error("n did not cancel")
	}
}

// The attacker's latest call is news: at 80×24 it takes a line of its own rather than being cut
// to a few characters beside who lockdown acts as.
func TestTheAttackersLatestCallIsNotCutAt80Columns(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
		drain(m, m.Init())
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		text := "⚠ the attacker launches more GPU instances in us-west-2 — it worked"
		m.Update(activityMsg{At: m.ctx.now(), Text: text, Alarming: true})
		checkFits(t, m, size)
		if got := screen(m); !strings.Contains(got, text) {
			t.Errorf("%s: the activity is cut:\n%s", sizeName(size), got)
		}
	}
}

// In own-key the goals say contain last: the briefing does not say containment comes first, and
// enter starts at the trace with the key filled in, not at the step that would lock the responder
// out.
func TestOwnKeysBriefingAgreesWithItsGoals(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill, scenario: "own-key"})
	sc := d.srv.Scenario()
	d.m.ctx.Briefing = &Briefing{Scenario: sc.Name, KeyID: sc.Attacker.AccessKeyID, Goals: sc.Goals, OwnKey: true}
	d.m.ctx.Known = map[string]string{"access_key_id": sc.Attacker.AccessKeyID}
	d.m.briefing = true
	d.m.panels = map[string]*panel{} // built again, with the key known, as lockdown drill builds them
	d.m.refresh()
	for _, size := range sizes {
		d.deliver(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		got := d.screen()
		if strings.Contains(got, "comes first") {
			t.Errorf("%s: the briefing says containment comes first while the goals say last:\n%s", sizeName(size), got)
		}
		mustContain(t, "the briefing at "+sizeName(size), strings.Join(strings.Fields(got), " "), "contain it last", "Deactivate the leaked key last")
	}
	d.press("enter")
	if d.m.Focused() != "trace-attacker" {
		t.Errorf("enter on own-key's briefing went to %s, want the trace", d.m.Focused())
	}
}

// A finding without rows (the leaked key's owner and status) names only the keys that act on it:
// nothing to toggle or filter, p to plan.
func TestAFindingWithoutRowsOffersNoRowKeys(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("contain-key")
	d.typeText(leakedKeyID)
	d.press("enter")
	d.idle("the leaked key's inspection")
	got := d.screen()
	mustContain(t, "the leaked key's finding", got, "p plans · i re-inspects")
	for _, untrue := range []string{"space toggles", "a all", "/ filters"} {
		if strings.Contains(got, untrue) {
			t.Errorf("a finding without rows offers %q:\n%s", untrue, got)
		}
	}
}

// While a step runs, the guide folds at 80×24 and the panel takes its room: the progress of every
// region shows, and "… and N more" appears only when the rows of the screen are all used.
func TestARunningStepUsesTheRoomTheFoldedGuideLeaves(t *testing.T) {
	t.Parallel()
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.deliver(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.goTo("find-rogue-instances")
	id := d.m.Focused()
	d.press("i") // its progress waits, unread, until the test is done looking
	for i := range 12 {
		d.m.panels[id].grid.add(steps.Progress{Key: fmt.Sprintf("region-%02d", i), State: steps.Running})
	}
	got := d.screen()
	lines := strings.Split(got, "\n")
	body := lines[len(d.m.headerLines()) : len(lines)-footerRows]
	blank := 0
	for _, l := range body {
		if _, right, ok := strings.Cut(l, "│"); ok && strings.TrimSpace(right) == "" {
			blank++
		}
	}
	if strings.Contains(got, "… and") && blank > 0 {
		t.Errorf("the running step hides regions behind '… and N more' with %d rows of the panel empty:\n%s", blank, got)
	}
	mustContain(t, "the running step", got, "region-00", "region-11")
	d.idle("the scan")
}
