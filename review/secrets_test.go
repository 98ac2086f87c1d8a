package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockdown/steps"
)

const testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

func TestSecretsFileIsANewPrivateCredentialsFileWithOneProfilePerKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new-keys")
	f, err := CreateSecretsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"ci-deploy", "billing"} {
		id := "AKIAEXAMPLE" + strings.ToUpper(user[:4]) + "00001"
		if err := f.Keep(steps.NewSecret("Secret access key of "+user, id, testSecret+user)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	want := "# Secret access key of billing\n[AKIAEXAMPLEBILL00001]\naws_access_key_id = AKIAEXAMPLEBILL00001\naws_secret_access_key = " + testSecret + "billing\n"
	if !strings.Contains(string(data), want) || strings.Count(string(data), "aws_secret_access_key = ") != 2 {
		t.Errorf("the file should hold one credentials profile per key, got:\n%s", data)
	}
}

func TestSecretsFileNeverOverwritesAnExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteSecretsFile(path, steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecret))
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "keep me" {
		t.Fatalf("the existing file changed: %q", data)
	}
}

func TestSecretsFileWithNothingKeptIsRemovedAndOneWithoutPathRefusesSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "unused")
	f, err := CreateSecretsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("an empty secrets file was left behind: %v", err)
	}
	none, _ := CreateSecretsFile("")
	if err := none.Keep(steps.NewSecret("bob", "AKIAEXAMPLENEWKEY001", testSecret)); err == nil {
		t.Error("a secrets file without a path took a secret it cannot keep")
	}
}
