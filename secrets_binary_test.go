package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
)

var (
	builtOnce sync.Once
	builtPath string
	builtErr  error
)

// builtLockdown builds the binary once per test run: what an operator runs, checked from outside.
func builtLockdown(t testing.TB) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lockdown-bin")
		if err != nil {
			builtErr = err
			return
		}
		builtPath = filepath.Join(dir, "lockdown")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			builtErr = err
			t.Logf("go build:\n%s", out)
		}
	})
	if builtErr != nil {
		t.Fatalf("building lockdown: %v", builtErr)
	}
	return builtPath
}

// sealedLockdown runs the built binary against endpoint with only the given credentials in its
// environment and every file it could write (home, state, journal) under root.
type sealedLockdown struct {
	t                   *testing.T
	bin, root, endpoint string
	env                 []string
	stdout, stderr      bytes.Buffer
}

func newSealedLockdown(t *testing.T, endpoint, root, keyID, secret, token string) *sealedLockdown {
	return &sealedLockdown{t: t, bin: builtLockdown(t), root: root, endpoint: endpoint,
		env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "XDG_STATE_HOME=" + filepath.Join(root, "state"),
			"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=" + token,
			"AWS_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(root, "none"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(root, "none"), "NO_COLOR=1",
			// The simulator and moto enforce no CloudTrail rate limit: no need to keep under AWS's.
			"LOCKDOWN_TEST_LOOKUP_INTERVAL=" + os.Getenv("LOCKDOWN_TEST_LOOKUP_INTERVAL")}}
}

func (l *sealedLockdown) run(args ...string) int {
	cmd := exec.Command(l.bin, append(args, "--endpoint-url", l.endpoint, "--journal", filepath.Join(l.root, "journal"))...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = l.env, l.root, &l.stdout, &l.stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	} else if err != nil {
		l.t.Fatal(err)
	}
	return 0
}

var secretLine = regexp.MustCompile(`aws_secret_access_key = (\S+)`)

func TestApplyKeepsNewSecretsOnlyInTheSecretsFileTheOperatorChose(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	id, envSecret := s.Server.ResponderCredentials()
	const sessionToken = "session-token-of-the-responder-must-stay-in-the-environment"
	// Every file lockdown could write goes under root: home, state, journal, plan, secrets.
	root := t.TempDir()
	l := newSealedLockdown(t, s.URL, root, id, envSecret, sessionToken)
	lockdown, stdout, stderr := l.run, &l.stdout, &l.stderr

	plan := filepath.Join(root, "plan.json")
	if code := lockdown("plan", "--key", simLeakedKey, "--since", s.Server.IncidentStart().Format(time.RFC3339), "-o", plan); code != exitOK {
		t.Fatalf("plan exited %d:\n%s", code, stderr.String())
	}
	secrets := filepath.Join(root, "chosen", "new-keys")
	if err := os.Mkdir(filepath.Dir(secrets), 0o700); err != nil {
		t.Fatal(err)
	}
	lockdown("apply", plan, "--live", "--confirm", simAccount, "--secrets-file", secrets)
	if !strings.Contains(stderr.String(), "rotate-keys: done") {
		t.Fatalf("apply did not rotate:\n%s", stderr.String())
	}

	secretsOnlyInTheirFile(t, root, secrets, map[string]string{"stdout": stdout.String(), "stderr": stderr.String()},
		map[string]string{"AWS_SECRET_ACCESS_KEY": envSecret, "AWS_SESSION_TOKEN": sessionToken})
}

// secretsOnlyInTheirFile checks that the secrets file is 0600 and holds new secrets, and that
// neither those nor the environment's credentials (needles) appear in the command's output or in
// any other file under root, where every file lockdown could write was placed.
func secretsOnlyInTheirFile(t *testing.T, root, secrets string, places, needles map[string]string) {
	t.Helper()
	info, err := os.Stat(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the secrets file has mode %v, want 0600", info.Mode().Perm())
	}
	kept, _ := os.ReadFile(secrets)
	newSecrets := secretLine.FindAllStringSubmatch(string(kept), -1)
	if len(newSecrets) == 0 {
		t.Fatalf("the secrets file holds no secret:\n%s", kept)
	}
	for i, m := range newSecrets {
		needles["new secret "+string(rune('1'+i))] = m[1]
	}
	written := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == secrets {
			return err
		}
		data, err := os.ReadFile(path)
		places[path] = string(data)
		written++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if written < 3 {
		t.Fatalf("only %d files written besides the secrets: the journal, plan and log should be there", written)
	}
	for what, needle := range needles {
		for place, text := range places {
			if strings.Contains(text, needle) {
				t.Errorf("%s found in %s", what, place)
			}
		}
	}
}
