//go:build !unix

package runbooks

import (
	"errors"
	"os"
)

// lockFile cannot hold a lock the kernel releases on this system: lockdown says so rather than run
// two applies of one plan side by side unchecked.
func lockFile(*os.File) (bool, error) {
	return false, errors.New("this system has no flock: one run at a time cannot be enforced")
}
