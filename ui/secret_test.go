package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"lockdown/steps"
)

const testSecretValue = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func TestSecretIsMaskedRevealedOnRAndWipedOnClose(t *testing.T) {
	secret := steps.NewSecret("new key for bob", "AKIAEXAMPLENEWKEY001", testSecretValue)
	rotate := terminateAction()
	rotate.apply = func(context.Context, *steps.Plan) (*steps.Outcome, error) {
		return &steps.Outcome{
			Results: []steps.Result{{ChangeID: "i-rogue1", Status: steps.StatusApplied}},
			Secrets: []steps.Secret{secret},
		}, nil
	}
	r := newFakeRunner(testBook(), map[string]steps.Action{"confirm": identityAction(), "terminate": rotate})
	m, clock := newTestModel(t, r)
	toPlan(t, m)
	drain(m, press(m, "A"))
	clock.advance(time.Second)
	typeText(m, "terminate 1")
	drain(m, press(m, "enter"))
	if m.secret == nil {
		t.Fatal("an outcome with secrets did not open the secret dialog")
	}
	got := screen(m)
	if strings.Contains(got, testSecretValue) || !strings.Contains(got, "••••") || !strings.Contains(got, "AKIAEXAMPLENEWKEY001") {
		t.Fatalf("secret not masked with its key id shown:\n%s", got)
	}
	press(m, "r")
	if !strings.Contains(screen(m), testSecretValue) {
		t.Fatalf("r did not reveal the secret:\n%s", screen(m))
	}
	press(m, "esc")
	if m.secret != nil {
		t.Fatal("esc did not close the secret dialog")
	}
	if strings.Contains(screen(m), testSecretValue) {
		t.Fatal("the secret is still on screen after closing")
	}
	if v := strings.Trim(secret.Reveal(), "\x00"); v != "" {
		t.Fatalf("the secret was not wiped: %q", v)
	}
	if p := m.panels["terminate"]; p.outcome == nil || p.outcome.Secrets != nil {
		t.Fatal("the panel kept a reference to the secrets")
	}
}

func TestSecretCanBeWrittenToANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bob.ini")
	ctx := NewContext(steps.Live, time.Time{})
	d := newSecretDialog(ctx, []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)})
	d.SetSize(80, 20)
	d.Update(keyMsg("w"))
	for _, r := range path {
		d.Update(keyMsg(string(r)))
	}
	_, cmd := d.Update(keyMsg("enter"))
	msgs := collect(cmd)
	if len(msgs) != 1 {
		t.Fatalf("writing yielded %d messages", len(msgs))
	}
	d.written(msgs[0].(secretWrittenMsg))
	if !strings.Contains(d.View(), "saved to "+path) {
		t.Errorf("no confirmation of the save:\n%s", d.View())
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), testSecretValue) {
		t.Fatalf("file not written: %v %q", err, data)
	}
}

func TestClosingBeforeTheSecretWasSeenOrSavedAsksTwice(t *testing.T) {
	ctx := NewContext(steps.Drill, time.Time{})
	secret := steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)
	d := newSecretDialog(ctx, []steps.Secret{secret})
	d.SetSize(90, 20)
	if v, _ := d.Update(keyMsg("enter")); v == cancelled {
		t.Fatal("enter closed the dialog before the secret was revealed or saved")
	}
	if !strings.Contains(ansi.Strip(d.View()), "cannot be shown again") {
		t.Fatalf("no warning:\n%s", ansi.Strip(d.View()))
	}
	if v, _ := d.Update(keyMsg("esc")); v != cancelled {
		t.Fatal("a second esc must close the dialog")
	}

	seen := newSecretDialog(ctx, []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)})
	seen.Update(keyMsg("r"))
	if v, _ := seen.Update(keyMsg("esc")); v != cancelled {
		t.Fatal("once revealed, esc closes at once")
	}
}

func TestCtrlCWithANewSecretOnScreenWarnsBeforeAnythingIsLost(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	secret := steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)
	m.secret = newSecretDialog(m.ctx, []steps.Secret{secret})
	m.layout()
	if cmd := press(m, "ctrl+c"); isQuit(cmd) || m.secret == nil {
		t.Fatal("ctrl+c quit and lost a secret nobody had seen")
	}
	if !strings.Contains(screen(m), "cannot be shown again") {
		t.Fatalf("no warning on screen:\n%s", screen(m))
	}
	if cmd := press(m, "ctrl+c"); isQuit(cmd) || m.secret != nil {
		t.Fatal("the second ctrl+c must close the dialog (wiping the secret), not quit")
	}
	if strings.Trim(secret.Reveal(), "\x00") != "" {
		t.Fatal("closing the dialog did not wipe the secret")
	}
}
