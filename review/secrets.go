package review

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"lockdown/input"
	"lockdown/steps"
)

// SecretsFile is where new secret access keys are kept, by the TUI and by apply alike. It is an
// AWS shared credentials file — one profile per key, named after the key id, with a comment naming
// whose key it is — so the keys work at once with AWS_SHARED_CREDENTIALS_FILE and --profile:
//
//	# Secret access key of ci-deploy
//	[AKIAEXAMPLENEWKEY001]
//	aws_access_key_id = AKIAEXAMPLENEWKEY001
//	aws_secret_access_key = …
//
// The file is new (never an existing one: overwriting someone's credentials mid-incident would be
// a second incident), readable by its owner only, and synced to disk before Keep returns, so a key
// whose secret is kept survives a crash.
type SecretsFile struct {
	path  string
	f     *os.File
	saved int
}

// CreateSecretsFile creates path; an empty path gives a file that refuses every secret.
func CreateSecretsFile(path string) (*SecretsFile, error) {
	s := &SecretsFile{path: path}
	if path == "" {
		return s, nil
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, &input.NotRegularError{Path: path, What: "secrets file", Mode: fi.Mode()}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s already exists: lockdown does not overwrite secrets; choose another name", path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create the secrets file: %w", err)
	}
	s.f = f
	// The new name is synced too: a file whose directory entry is lost in a crash is lost with it.
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return s, nil
}

// Path is where the secrets go.
func (s *SecretsFile) Path() string { return s.path }

// Keep appends a secret and syncs it to disk before reporting success: only then may the old key
// it replaces be switched off.
func (s *SecretsFile) Keep(sec steps.Secret) error {
	if s.f == nil {
		return errors.New("a new secret access key was created but there is no secrets file to keep it in")
	}
	if _, err := fmt.Fprintf(s.f, "# %s\n[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n",
		sec.Label, sec.AccessKeyID, sec.AccessKeyID, sec.Reveal()); err != nil {
		return fmt.Errorf("saving the new secret to %s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("saving the new secret to %s: %w", s.path, err)
	}
	s.saved++
	return nil
}

// Saved counts the secrets kept.
func (s *SecretsFile) Saved() int { return s.saved }

// Close closes the file, and removes it when no secret was written to it.
func (s *SecretsFile) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	if s.saved == 0 {
		return errors.Join(err, os.Remove(s.path))
	}
	return err
}

// WriteSecretsFile keeps secrets in a new file of their own, all of them in one go: the TUI's
// "write to a file". A file that could not be written completely is removed, since a key file
// missing some keys would pass for the whole record.
func WriteSecretsFile(path string, secrets ...steps.Secret) error {
	if len(secrets) == 0 {
		return errors.New("no secret to write")
	}
	f, err := CreateSecretsFile(path)
	if err != nil {
		return err
	}
	for _, sec := range secrets {
		if err := f.Keep(sec); err != nil {
			return errors.Join(err, f.Close(), os.Remove(path))
		}
	}
	return f.Close()
}
