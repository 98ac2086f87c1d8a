package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
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
	drain(m, press(m, "e"))
	if !slices.ContainsFunc(r.notes, func(n string) bool {
		return strings.Contains(n, "AKIAEXAMPLENEWKEY001") && strings.Contains(n, "elsewhere")
	}) {
		t.Fatalf("the operator's word was not journaled: %q", r.notes)
	}
	for _, n := range r.notes {
		if strings.Contains(n, testSecretValue) {
			t.Fatalf("the journal holds the secret: %q", n)
		}
	}
	press(m, "esc")
	if m.secret != nil {
		t.Fatalf("esc did not close the secret dialog once the secret was kept:\n%s", screen(m))
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

// recorded is a secret recorder that remembers what it was told and can fail.
type recorded struct {
	keys []string
	how  []string
	fail error
}

func (r *recorded) record(keys []string, how, path string) error {
	if r.fail != nil {
		return r.fail
	}
	r.keys = append(r.keys, keys...)
	for range keys {
		r.how = append(r.how, how+" "+path)
	}
	return nil
}

// writeAll asks the dialog to write its secrets to path and hands it the result.
func writeAll(t *testing.T, d *secretDialog, path string) {
	t.Helper()
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
}

func TestSecretCanBeWrittenToANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bob.ini")
	ctx := NewContext(steps.Live, time.Time{})
	rec := &recorded{}
	d := newSecretDialog(ctx, []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)}, rec.record)
	d.SetSize(80, 20)
	writeAll(t, d, path)
	if !strings.Contains(d.View(), "saved to "+path) {
		t.Errorf("no confirmation of the save:\n%s", d.View())
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), testSecretValue) {
		t.Fatalf("file not written: %v %q", err, data)
	}
	if !slices.Equal(rec.keys, []string{"AKIAEXAMPLENEWKEY001"}) || !strings.Contains(rec.how[0], path) {
		t.Errorf("the save was not journaled with the key and the file: %v %v", rec.keys, rec.how)
	}
}

func TestOneWriteSavesEveryNewSecretToTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.ini")
	ids := []string{"AKIAEXAMPLENEWKEY001", "AKIAEXAMPLENEWKEY002", "AKIAEXAMPLENEWKEY003"}
	var secrets []steps.Secret
	for i, id := range ids {
		secrets = append(secrets, steps.NewSecret("user "+id, id, testSecretValue[:30]+strings.Repeat(string(rune('A'+i)), 10)))
	}
	rec := &recorded{}
	d := newSecretDialog(NewContext(steps.Drill, time.Time{}), secrets, rec.record)
	d.SetSize(100, 30)
	writeAll(t, d, path) // the cursor is on the first secret: all three are written anyway
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if !strings.Contains(string(data), "["+id+"]") || !strings.Contains(string(data), secrets[i].Reveal()) {
			t.Errorf("%s is not in the file:\n%s", id, data)
		}
	}
	if !slices.Equal(rec.keys, ids) {
		t.Errorf("journaled %v, want all three", rec.keys)
	}
	if v, _ := d.Update(keyMsg("esc")); v != cancelled {
		t.Fatalf("every secret is saved, yet esc did not close:\n%s", ansi.Strip(d.View()))
	}
}

func TestTheDialogDoesNotCloseWhileASecretIsKeptNowhere(t *testing.T) {
	ctx := NewContext(steps.Drill, time.Time{})
	rec := &recorded{}
	d := newSecretDialog(ctx, []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue),
		steps.NewSecret("carol", "AKIAEXAMPLENEWKEY002", testSecretValue)}, rec.record)
	d.SetSize(90, 20)
	for _, k := range []string{"enter", "esc", "q", "ctrl+c", "esc"} {
		if v, _ := d.Update(keyMsg(k)); v == cancelled {
			t.Fatalf("%s closed the dialog while no secret was kept", k)
		}
	}
	if got := ansi.Strip(d.View()); !strings.Contains(got, "cannot be shown again") || !strings.Contains(got, "AKIAEXAMPLENEWKEY002") {
		t.Fatalf("the refusal does not say why, naming the keys:\n%s", got)
	}
	if _, cmd := d.Update(keyMsg("e")); cmd != nil || len(rec.keys) > 0 {
		t.Fatal("a secret nobody has seen was recorded as stored elsewhere")
	}
	d.Update(keyMsg("r"))
	_, cmd := d.Update(keyMsg("e"))
	for _, msg := range collect(cmd) {
		d.acknowledged(msg.(secretAckMsg))
	}
	if v, _ := d.Update(keyMsg("esc")); v == cancelled {
		t.Fatal("closed with carol's secret kept nowhere")
	}
	d.Update(keyMsg("j"))
	_, cmd = d.Update(keyMsg("e"))
	for _, msg := range collect(cmd) {
		d.acknowledged(msg.(secretAckMsg))
	}
	if !slices.Equal(rec.keys, []string{"AKIAEXAMPLENEWKEY001", "AKIAEXAMPLENEWKEY002"}) {
		t.Fatalf("journaled %v", rec.keys)
	}
	if v, _ := d.Update(keyMsg("esc")); v != cancelled {
		t.Fatalf("both secrets are stored elsewhere, yet esc did not close:\n%s", ansi.Strip(d.View()))
	}
}

func TestAnAcknowledgementTheJournalCouldNotRecordKeepsTheDialogOpen(t *testing.T) {
	rec := &recorded{fail: errors.New("disk full")}
	d := newSecretDialog(NewContext(steps.Drill, time.Time{}), []steps.Secret{steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)}, rec.record)
	d.SetSize(90, 20)
	d.Update(keyMsg("r"))
	_, cmd := d.Update(keyMsg("e"))
	for _, msg := range collect(cmd) {
		d.acknowledged(msg.(secretAckMsg))
	}
	if !strings.Contains(ansi.Strip(d.View()), "disk full") {
		t.Fatalf("the failure is not shown:\n%s", ansi.Strip(d.View()))
	}
	if v, _ := d.Update(keyMsg("esc")); v == cancelled {
		t.Fatal("closed although nothing recorded that the secret is kept")
	}
}

func TestCtrlCWithANewSecretKeptNowhereNeitherQuitsNorClosesTheDialog(t *testing.T) {
	r := newFakeRunner(testBook(), testActions())
	m, _ := newTestModel(t, r)
	drain(m, m.Init())
	secret := steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecretValue)
	m.secret = newSecretDialog(m.ctx, []steps.Secret{secret}, m.secretRecorder("terminate"))
	m.layout()
	for range 3 {
		if cmd := press(m, "ctrl+c"); isQuit(cmd) || m.secret == nil {
			t.Fatal("ctrl+c quit or closed the dialog and lost a secret kept nowhere")
		}
	}
	if !strings.Contains(screen(m), "cannot be shown again") {
		t.Fatalf("no warning on screen:\n%s", screen(m))
	}
	if strings.Trim(secret.Reveal(), "\x00") == "" {
		t.Fatal("the secret was wiped while the dialog still holds it")
	}
}
