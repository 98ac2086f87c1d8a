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
	if !f.Capturing() || f.filter != "an " {
		t.Fatalf("filter %q, typing %v", f.filter, f.Capturing())
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

func TestEnterOpensARowWithAllItsReasonsAndDetails(t *testing.T) {
	table := bigTable(3)
	table.Rows[0].Reasons = []string{"launched after T0", "GPU instance type", "unusual region", "unknown key pair"}
	table.Rows[0].Details = []string{"Tags: Name=miner", "Spot request: sir-1234"}
	f := newFindingsTable(NewContext(steps.DryRun, time.Time{}), table)
	f.SetSize(80, 12)
	typeKeys(f, "enter")
	got := f.View()
	for _, want := range []string{"unknown key pair", "Tags: Name=miner", "Spot request: sir-1234"} {
		if !strings.Contains(got, want) {
			t.Errorf("the open row lacks %q:\n%s", want, got)
		}
	}
	before := len(f.SelectedIDs())
	typeKeys(f, "a", "space", "esc")
	if len(f.SelectedIDs()) != before || f.Capturing() {
		t.Fatal("keys on an open row must not change the selection, and esc must close it")
	}
}
