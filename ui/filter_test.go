package ui

import (
	"strings"
	"testing"
	"time"

	"lockdown/steps"
)

func typeKeys(f *findingsTable, keys ...string) {
	for _, k := range keys {
		f.Update(keyMsg(k))
	}
}

func TestTheFilterNarrowsRowsAndSelectAllActsOnlyOnThem(t *testing.T) {
	f := newFindingsTable(NewContext(steps.DryRun, time.Time{}), bigTable(10))
	f.SetSize(80, 20)
	typeKeys(f, "/", "r", "o", "g", "u", "e", "enter", "n", "a")
	if f.rows() != 2 {
		t.Fatalf("filter shows %d rows, want the 2 rogue ones", f.rows())
	}
	if got := len(f.SelectedIDs()); got != 2+4 {
		// "n" and "a" touched only the 2 rogue rows; the 4 other proposed rows stay selected.
		t.Fatalf("%d selected, want 6", got)
	}
	typeKeys(f, "esc")
	if f.rows() != 10 || !strings.Contains(f.View(), "/ filters") {
		t.Fatalf("esc did not clear the filter: %d rows", f.rows())
	}
}

func TestKeysTypedIntoTheFilterAreTextNotCommands(t *testing.T) {
	f := newFindingsTable(NewContext(steps.DryRun, time.Time{}), bigTable(10))
	f.SetSize(80, 20)
	before := len(f.SelectedIDs())
	typeKeys(f, "/", "a", "n", "space")
	if got := len(f.SelectedIDs()); got != before {
		t.Fatalf("selection changed while typing a filter: %d, was %d", got, before)
	}
	if !f.Filtering() || f.filter != "an " {
		t.Fatalf("filter %q, typing %v", f.filter, f.Filtering())
	}
}

func TestQuitIsNotTriggeredWhileTypingAFilter(t *testing.T) {
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": terminateAction()})
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	drain(m, press(m, "]"))
	drain(m, press(m, "i"))
	drain(m, press(m, "/"))
	if cmd := press(m, "q"); cmd != nil {
		drain(m, cmd)
	}
	if !strings.Contains(screen(m), "filter: q") {
		t.Fatalf("q did not land in the filter:\n%s", screen(m))
	}
}
