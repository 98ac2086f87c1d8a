package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"lockdown/runbooks"
	"lockdown/steps"
)

var (
	revealedSecret = regexp.MustCompile(`secret access key: (\S+)`)
	newKeyID       = regexp.MustCompile(`access key id:\s+(AKIA[A-Z0-9]+)`)
)

// selectOnly leaves exactly one row of the findings table selected, with the table's own keys.
func (d *drillSession) selectOnly(rowID string) {
	d.t.Helper()
	table := d.m.current().table
	if table == nil {
		d.t.Fatalf("step %s has no findings table", d.m.Focused())
	}
	row := slices.IndexFunc(table.table.Rows, func(r steps.Row) bool { return r.ID == rowID })
	if row < 0 {
		d.t.Fatalf("no row %q in the findings:\n%s", rowID, d.screen())
	}
	d.press("n")
	for range row - table.cursor {
		d.press("j")
	}
	d.press("space")
	if got := table.SelectedIDs(); len(got) != 1 || got[0] != rowID {
		d.t.Fatalf("selected %v, want only %s", got, rowID)
	}
}

// writeSecret asks the secret dialog to save the secret to path and waits for its answer.
func (d *drillSession) writeSecret(path string) string {
	d.t.Helper()
	d.press("w")
	// The field keeps the last path typed; the operator clears it first.
	for range len(d.m.secret.path.Value()) {
		d.press("backspace")
	}
	d.typeText(path)
	d.press("enter")
	d.until("the secret dialog reports the write", func() bool { return d.m.secret != nil && d.m.secret.notice != "" })
	return d.m.secret.notice
}

func TestDrillNewSecretIsShownOnceSavedPrivatelyAndLeftNowhere(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	d.goTo("credential-inventory")
	d.inspect()
	d.goTo("rotate-keys")
	d.inspect()
	// billing-reports has two keys: making room for the new one deletes one, which needs the
	// account id typed.
	d.selectOnly("billing-reports")
	d.plan()
	d.openConfirm()
	mustContain(t, "the dialog", d.screen(), "DESTRUCTIVE", "Type "+drillAccount)
	d.typeText(drillAccount)
	d.press("enter")
	d.idle("the rotation finishes")

	if d.m.secret == nil {
		t.Fatalf("the rotation did not open the secret dialog:\n%s", d.screen())
	}
	masked := d.screen()
	mustContain(t, "the secret dialog", masked, "••••", "shown once")
	keyMatch := newKeyID.FindStringSubmatch(masked)
	if keyMatch == nil {
		t.Fatalf("no new access key id in the dialog:\n%s", masked)
	}
	d.press("r")
	m := revealedSecret.FindStringSubmatch(d.screen())
	if m == nil || strings.Contains(m[1], "•") || len(m[1]) < 20 {
		t.Fatalf("r did not reveal the secret:\n%s", d.screen())
	}
	secret := m[1]
	if strings.Contains(masked, secret) {
		t.Fatal("the secret was on screen before r revealed it")
	}

	path := filepath.Join(t.TempDir(), "billing-reports.ini")
	if notice := d.writeSecret(path); !strings.Contains(notice, "saved to "+path) {
		t.Fatalf("writing the secret: %s", notice)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the secret file has mode %v, want 0600", info.Mode().Perm())
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the secret file", string(saved), keyMatch[1], secret)

	if notice := d.writeSecret(path); !strings.Contains(notice, "not saved") || !strings.Contains(notice, "does not overwrite") {
		t.Errorf("a second write to the same file was not refused: %s", notice)
	}
	if again, _ := os.ReadFile(path); string(again) != string(saved) {
		t.Error("the second write changed the file")
	}

	d.press("esc")
	if d.m.secret != nil {
		t.Fatal("esc did not close the secret dialog")
	}
	d.assertNowhere(secret)
}

// assertNowhere checks that secret is not on screen, in the run's state, in the journal (as
// written and as read back) or in the log.
func (d *drillSession) assertNowhere(secret string) {
	d.t.Helper()
	if strings.Contains(d.screen(), secret) {
		d.t.Errorf("the secret is still on screen:\n%s", d.screen())
	}
	for _, st := range d.run.Statuses() {
		if st.Outcome != nil && len(st.Outcome.Secrets) > 0 {
			d.t.Errorf("step %s still holds %d secrets in its outcome", st.Step.ID, len(st.Outcome.Secrets))
		}
	}
	for what, path := range map[string]string{"the journal": d.journal, "the log": d.logPath} {
		data, err := os.ReadFile(path)
		if err != nil {
			d.t.Fatal(err)
		}
		if len(data) == 0 {
			d.t.Errorf("%s is empty: nothing was checked", what)
		}
		if strings.Contains(string(data), secret) {
			d.t.Errorf("the secret is in %s (%s)", what, filepath.Base(path))
		}
	}
	entries, err := runbooks.ReadJournal(d.journal)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := json.Marshal(e)
		if strings.Contains(string(data), secret) || strings.Contains(fmt.Sprintf("%+v", e), secret) {
			d.t.Errorf("the journal entry %s/%s holds the secret", e.Step, e.Kind)
		}
	}
}
