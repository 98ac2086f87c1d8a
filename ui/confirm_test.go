package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

// toPlan drives the model to the terminate step's plan, keyboard only, and opens the dialog.
func toPlan(t *testing.T, m *Model) {
	t.Helper()
	drain(m, m.Init())
	drain(m, press(m, "]"))
	if m.Focused() != "terminate" {
		t.Fatalf("focused %q, want terminate", m.Focused())
	}
	drain(m, press(m, "i"))
	drain(m, press(m, "p"))
	if !strings.Contains(screen(m), "Plan: 1 change") {
		t.Fatalf("no plan on screen:\n%s", screen(m))
	}
}

func screen(m *Model) string { return ansi.Strip(m.View().Content) }

func TestTypedConfirmationAppliesOnlyTheExactText(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, clock := newTestModel(t, r)
	toPlan(t, m)

	drain(m, press(m, "A"))
	if m.confirm == nil {
		t.Fatal("A on the plan did not open the confirmation dialog")
	}
	clock.advance(time.Second)

	drain(m, press(m, "enter"))
	if r.applyCount() != 0 || m.confirm == nil {
		t.Fatalf("enter alone applied a destructive plan (applies=%d)", r.applyCount())
	}
	if !strings.Contains(screen(m), `type exactly "terminate 1"`) {
		t.Errorf("enter alone did not say what to type:\n%s", screen(m))
	}

	typeText(m, "terminate 2")
	drain(m, press(m, "enter"))
	if r.applyCount() != 0 {
		t.Fatalf("a wrong text applied the plan")
	}
	for range len("terminate 2") {
		press(m, "backspace")
	}
	typeText(m, "terminate 1")
	drain(m, press(m, "enter"))
	if r.applyCount() != 1 {
		t.Fatalf("the exact text did not apply: applies=%d", r.applyCount())
	}
	if r.typed[0] != "terminate 1" {
		t.Errorf("the run got typed text %q, want the operator's", r.typed[0])
	}
	if m.confirm != nil {
		t.Error("the dialog stayed open after confirming")
	}
	if !strings.Contains(screen(m), "applied") {
		t.Errorf("results not shown:\n%s", screen(m))
	}
}

func TestConfirmDialogShowsAccountModeAndChanges(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, clock := newTestModel(t, r)
	m.ctx.Mode = steps.DryRun
	toPlan(t, m)
	drain(m, press(m, "A"))
	clock.advance(time.Second)
	got := screen(m)
	for _, want := range []string{"111122223333 (acme-prod)", "DRY-RUN", "nothing will change", "us-east-1", "TerminateInstances i-rogue1"} {
		if !strings.Contains(got, want) {
			t.Errorf("dialog lacks %q:\n%s", want, got)
		}
	}
	drain(m, press(m, "esc"))
	if m.confirm != nil || r.applyCount() != 0 {
		t.Error("esc did not cancel without applying")
	}
}

func TestKeysWithinTheGracePeriodAreSwallowed(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, clock := newTestModel(t, r)
	toPlan(t, m)
	drain(m, press(m, "A"))

	typeText(m, "terminate 1")
	drain(m, press(m, "enter"))
	if r.applyCount() != 0 {
		t.Fatal("keys typed as the dialog opened confirmed it")
	}
	if v := m.confirm.typed.Value(); v != "" {
		t.Fatalf("the field took %q during the grace period", v)
	}
	clock.advance(DefaultGrace)
	typeText(m, "terminate 1")
	drain(m, press(m, "enter"))
	if r.applyCount() != 1 {
		t.Fatal("after the grace period the exact text did not apply")
	}
}

func TestPlainPlanNeedsAnExplicitYes(t *testing.T) {
	ctx := NewContext(steps.Live, time.Time{})
	clock := &testClock{t: time.Now()}
	ctx.Now = clock.now
	plan := &steps.Plan{Changes: []steps.Change{{ID: "c1", Op: "AttachUserPolicy", Target: "bob"}}}
	tests := []struct {
		name string
		keys []string
		want verdict
	}{
		{"enter alone cancels", []string{"enter"}, cancelled},
		{"n cancels", []string{"n"}, cancelled},
		{"other keys decide nothing", []string{"x", "space"}, undecided},
		{"y confirms", []string{"y"}, confirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newConfirmDialog(ctx, "s", plan)
			d.SetSize(80, 30)
			if v, _ := d.Update(keyMsg("y")); v != undecided {
				t.Fatal("y within the grace period decided the dialog")
			}
			clock.advance(time.Second)
			got := undecided
			for _, k := range tt.keys {
				got, _ = d.Update(keyMsg(k))
			}
			if got != tt.want {
				t.Errorf("got verdict %d, want %d", got, tt.want)
			}
		})
	}
}

// A change too long for one line continues indented under itself, each line wrapped once: the
// words of the summary (what to undo, the CloudTrail event) stay together in their block.
func TestALongChangeWrapsIndentedUnderItself(t *testing.T) {
	ctx := NewContext(steps.Live, time.Time{})
	summary := "stop i-0b5e11ef00a1b2c3d (m5.xlarge, first launched 2025-11-02 18:45, before T0): its user data was replaced " +
		"by the attacker (AKIAEXAMPLELEAKED003, CloudTrail event 421276f9-1557-95d3-ad36-dc84ae3dac6f), so it runs their code"
	plan := &steps.Plan{Changes: []steps.Change{{ID: "c1", Op: "ec2:StopInstances", Region: "us-east-1", Target: "i-0b5e11ef00a1b2c3d", Summary: summary}}}
	d := newConfirmDialog(ctx, "s", plan)
	d.SetSize(92, 40)
	var block []string
	for _, l := range strings.Split(ansi.Strip(d.View()), "\n") {
		l = strings.TrimRight(strings.Trim(strings.TrimSpace(l), "│"), " ")
		if strings.Contains(l, "ec2:StopInstances") || (len(block) > 0 && strings.TrimSpace(l) != "") {
			block = append(block, l)
		} else if len(block) > 0 {
			break
		}
	}
	if len(block) < 3 {
		t.Fatalf("the change is not wrapped over several lines: %q", block)
	}
	for _, l := range block[1:] {
		if !strings.HasPrefix(l, "       ") {
			t.Errorf("a continuation of the change is not indented under it: %q in\n%s", l, strings.Join(block, "\n"))
		}
	}
	if got, want := strings.Join(strings.Fields(strings.Join(block, "")), ""), strings.Join(strings.Fields(summary), ""); !strings.Contains(got, want) {
		t.Errorf("the summary is cut apart:\n%s", strings.Join(block, "\n"))
	}
}
