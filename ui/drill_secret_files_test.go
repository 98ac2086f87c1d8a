package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/steps"
)

// After a rotation in the interface, the new secret and the responder's own secret key are found
// in no file the session wrote (journal, log, anything beside them) and not on the final screen or
// any screen shown after the secret dialog closed; the new secret only in the 0600 file chosen.
func TestDrillRotationLeavesSecretsInNoFileButTheChosenOne(t *testing.T) {
	d := startDrillSession(t, drillOptions{mode: steps.Drill})
	_, responderSecret := d.srv.ResponderCredentials()
	d.goTo("credential-inventory")
	d.inspect()
	d.goTo("rotate-keys")
	d.inspect()
	d.selectOnly("billing-reports")
	d.plan()
	d.openConfirm()
	d.typeText(drillAccount)
	d.press("enter")
	d.idle("the rotation finishes")
	if d.m.secret == nil {
		t.Fatalf("the rotation did not open the secret dialog:\n%s", d.screen())
	}
	d.press("r")
	m := revealedSecret.FindStringSubmatch(d.screen())
	if m == nil {
		t.Fatalf("r did not reveal the secret:\n%s", d.screen())
	}
	secret := m[1]
	chosen := filepath.Join(t.TempDir(), "new-key.ini")
	if notice := d.writeSecret(chosen); !strings.Contains(notice, "saved to") {
		t.Fatalf("writing the secret: %s", notice)
	}
	d.press("esc")
	screens := []string{d.screen()}
	for _, id := range []string{"remove-rogue-users", "find-rogue-instances", "rotate-keys"} {
		d.goTo(id)
		screens = append(screens, d.screen())
	}

	if kept, _ := os.ReadFile(chosen); !strings.Contains(string(kept), secret) {
		t.Fatal("the chosen file does not hold the secret")
	}
	files := 0
	for _, dir := range []string{filepath.Dir(d.journal), filepath.Dir(d.logPath), filepath.Dir(chosen)} {
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || path == chosen {
				return err
			}
			files++
			data, err := os.ReadFile(path)
			for what, needle := range map[string]string{"the new secret": secret, "the responder's secret key": responderSecret} {
				if strings.Contains(string(data), needle) {
					t.Errorf("%s is in %s", what, path)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 2 {
		t.Errorf("only %d files checked: the journal and the log should be there", files)
	}
	for _, s := range screens {
		if strings.Contains(s, secret) || strings.Contains(s, responderSecret) {
			t.Errorf("a secret is on screen after the dialog closed:\n%s", s)
		}
	}
}
