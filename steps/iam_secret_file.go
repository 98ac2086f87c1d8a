package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// WriteSecretFile saves a new access key to a file the operator names, in the CSV form the IAM
// console downloads. The file is created with mode 0600 and never overwritten: an existing file
// might be another key's only copy.
func WriteSecretFile(path string, s Secret) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: choose a new file name (lockdown never overwrites a key file)", path)
	}
	if err != nil {
		return err
	}
	_, werr := fmt.Fprintf(f, "Access key ID,Secret access key\n%s,%s\n", s.AccessKeyID, s.Reveal())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
	}
	return werr
}
