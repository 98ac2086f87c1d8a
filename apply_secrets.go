package main

import (
	"errors"
	"fmt"
	"os"

	"lockdown/steps"
)

// secretsFile is where apply keeps the secrets of the keys it creates: a new file, readable by its
// owner only, created before any change so a key is never made with nowhere to put its secret.
type secretsFile struct {
	path  string
	f     *os.File
	saved int
}

// openSecretsFile creates path (never an existing file); an empty path gives a file that refuses
// every secret, since the plan then creates none.
func openSecretsFile(path string) (*secretsFile, error) {
	s := &secretsFile{path: path}
	if path == "" {
		return s, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s already exists: lockdown does not overwrite secrets; choose another name", path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot create the secrets file: %w", err)
	}
	s.f = f
	if _, err := fmt.Fprintf(f, "# label\taccess key id\tsecret access key\n"); err != nil {
		return nil, errors.Join(fmt.Errorf("cannot write the secrets file: %w", err), f.Close(), os.Remove(path))
	}
	return s, nil
}

// save appends secrets and syncs them to disk before reporting success.
func (s *secretsFile) save(secrets []steps.Secret) error {
	if s.f == nil {
		return errors.New("new secret access keys were created but there is no --secrets-file to keep them: create another key for each user")
	}
	for _, sec := range secrets {
		if _, err := fmt.Fprintf(s.f, "%s\t%s\t%s\n", sec.Label, sec.AccessKeyID, sec.Reveal()); err != nil {
			return fmt.Errorf("saving new secrets to %s: %w", s.path, err)
		}
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("saving new secrets to %s: %w", s.path, err)
	}
	s.saved += len(secrets)
	return nil
}

// finish closes the file, and removes it when no secret was written to it.
func (s *secretsFile) finish() {
	if s.f == nil {
		return
	}
	_ = s.f.Close()
	if s.saved == 0 {
		_ = os.Remove(s.path)
	}
}
