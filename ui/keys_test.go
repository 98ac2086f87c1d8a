package ui

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// footer is the last line of the screen: the keys.
func footer(m *Model) string {
	lines := strings.Split(screen(m), "\n")
	return lines[len(lines)-1]
}

func TestTheFooterAlwaysEndsWithHelpAndQuitAt80x24(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(m, m.Init())
	for _, keys := range [][]string{nil, {"]"}, {"i"}, {"tab"}, {"tab"}, {"]"}} {
		drain(m, press(m, keys...))
		if got := footer(m); !strings.HasSuffix(got, "? keys • q quit") {
			t.Errorf("after %v the footer does not end with ? and q: %q", keys, got)
		}
	}
}

func TestQuestionMarkListsEveryKeyOfTheFocusedPane(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	drain(m, m.Init())
	drain(m, press(m, "]", "i"))
	want := m.keysNow().keys
	press(m, "?")
	got := screen(m)
	for _, b := range want {
		if !strings.Contains(got, b.Help().Key) || !strings.Contains(got, b.Help().Desc) {
			t.Errorf("? does not list %s (%s):\n%s", b.Help().Key, b.Help().Desc, got)
		}
	}
	mustContain(t, "the findings keys", got, "space", "select row", "select all", "filter rows", "open row", "plan changes")
	press(m, "p") // the list only explains: a key in it does nothing but close it on esc
	if m.current().phase != phaseFound {
		t.Errorf("a key pressed over the ? list acted on the panel")
	}
	press(m, "esc")
	if m.showHelp || strings.Contains(screen(m), "Keys —") {
		t.Errorf("esc did not close the list:\n%s", screen(m))
	}
}

func TestEscBacksOutOneLevelAndTheHintSaysWhich(t *testing.T) {
	m, clock := newTestModel(t, newFakeRunner(testBook(), testActions()))
	drain(m, m.Init())
	drain(m, press(m, "]", "i"))
	table := m.current().table

	press(m, "enter")
	if !table.open || !strings.Contains(footer(m), "esc close the row") {
		t.Fatalf("enter did not open the row, or the hint does not say esc closes it: %q", footer(m))
	}
	press(m, "esc")
	if table.open || m.current().phase != phaseFound {
		t.Fatal("esc on an opened row did more or less than close it")
	}

	press(m, "/")
	typeText(m, "web")
	if !strings.Contains(footer(m), "esc clear and leave the filter") {
		t.Errorf("the filter's hint: %q", footer(m))
	}
	press(m, "esc")
	if table.typing || table.filter != "" || table.rows() != 2 {
		t.Errorf("esc left the filter typing=%v %q with %d rows", table.typing, table.filter, table.rows())
	}

	drain(m, press(m, "p"))
	drain(m, press(m, "A"))
	clock.advance(time.Second)
	if !strings.Contains(footer(m), "esc cancel, nothing applied") {
		t.Errorf("the dialog's hint: %q", footer(m))
	}
	press(m, "esc")
	if m.confirm != nil {
		t.Error("esc did not cancel the dialog")
	}
}

func TestAnOpenedRowScrolls(t *testing.T) {
	act := terminateAction()
	inspect := act.inspect
	act.inspect = func(ctx context.Context, report func(steps.Progress)) (*steps.Inspection, error) {
		found, err := inspect(ctx, report)
		for i := range 40 {
			found.Table.Rows[0].Details = append(found.Table.Rows[0].Details, fmt.Sprintf("detail line %02d", i))
		}
		return found, err
	}
	m, _ := newTestModel(t, newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": act}))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drain(m, m.Init())
	drain(m, press(m, "]", "i"))
	press(m, "enter")
	top := screen(m)
	if strings.Contains(top, "detail line 39") {
		t.Fatalf("the last detail is visible at once; the test needs more lines:\n%s", top)
	}
	for range 40 {
		press(m, "down")
	}
	if got := screen(m); !strings.Contains(got, "detail line 39") {
		t.Errorf("↓ did not scroll the opened row to its end:\n%s", got)
	}
}

func TestTheFocusedPaneIsMarked(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	drain(m, m.Init())
	marks := map[pane]string{paneSteps: "▶ Steps", paneGuide: "— guide", panePanel: "▶ action"}
	for range 3 {
		got := screen(m)
		for p, mark := range marks {
			if on := strings.Contains(got, mark); on != (m.focus == p) {
				t.Errorf("focus on pane %d, but mark %q shown=%v:\n%s", m.focus, mark, on, got)
			}
		}
		press(m, "tab")
	}
}

func TestNoColorGuidesArePlainText(t *testing.T) {
	out := renderMarkdown("Check the **account id** and `AKIA…`.\n\n- one\n- two", 60, true)
	if strings.Contains(out, "**") || strings.Contains(out, "`") || out != ansi.Strip(out) {
		t.Errorf("NO_COLOR guide shows markup or escapes: %q", out)
	}
	if !strings.Contains(out, "account id") {
		t.Errorf("NO_COLOR guide lost its text: %q", out)
	}
}

func TestTheNoteDialogAsksForANote(t *testing.T) {
	m, _ := newTestModel(t, newFakeRunner(testBook(), testActions()))
	drain(m, m.Init())
	press(m, "N")
	got := screen(m)
	mustContain(t, "the note dialog", got, "Note on step", "Note (required):", "enter records the note")
	if strings.Contains(got, "Reason") || strings.Contains(got, "skips") {
		t.Errorf("the note dialog talks about skipping:\n%s", got)
	}
}

func TestAFindingsTableShowsTenRowsAt80x24(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.deliver(tea.WindowSizeMsg{Width: 80, Height: 24})
	shown := regexp.MustCompile(`rows 1–(\d+) of (\d+)`)
	for _, id := range []string{"credential-inventory", "find-rogue-instances"} {
		d.goTo(id)
		d.inspect()
		got := d.screen()
		match := shown.FindStringSubmatch(got)
		if match == nil {
			t.Fatalf("%s: no row count on screen:\n%s", id, got)
		}
		rows, _ := strconv.Atoi(match[1])
		total, _ := strconv.Atoi(match[2])
		if rows < min(10, total) {
			t.Errorf("%s shows %d of %d rows at 80×24:\n%s", id, rows, total, got)
		}
		if id == "credential-inventory" {
			mustContain(t, "the credential table", got, "Severity", "rogue", "flagged", "as of")
		}
	}
}

func TestTheCredentialTableSaysItIsStaleAfterContainment(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("credential-inventory")
	d.inspect()
	if strings.Contains(d.screen(), "stale") {
		t.Fatalf("a fresh inventory says it is stale:\n%s", d.screen())
	}
	d.containLeakedKey()
	d.confirmAsAsked()
	d.idle("the containment finishes")
	d.goTo("credential-inventory")
	mustContain(t, "the inventory after containment", d.screen(), `stale: "Contain the leaked key" changed the account`)
	d.inspect()
	if strings.Contains(d.screen(), "stale") {
		t.Errorf("re-reading did not clear the stale mark:\n%s", d.screen())
	}
}

func TestTabLeavesAKeyFieldForTheGuide(t *testing.T) {
	contain := terminateAction()
	contain.spec.Inputs = []steps.Input{{Name: "access_key_id", Prompt: "Leaked access key id"}}
	m, _ := newTestModel(t, newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": contain}))
	drain(m, m.Init())
	press(m, "]", "enter")
	if !m.current().capturing() {
		t.Fatalf("enter did not open the key field:\n%s", screen(m))
	}
	press(m, "tab")
	if m.focus != paneGuide || m.current().capturing() {
		t.Errorf("tab in the key field left the focus on pane %d (field capturing: %v)", m.focus, m.current().capturing())
	}
	if v := m.current().inputs[0].Value(); v != "" {
		t.Errorf("tab typed %q into the key field", v)
	}
}
