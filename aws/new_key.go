package aws

import (
	"fmt"
	"time"
)

// NewKey is a freshly created access key. The secret leaves this package once, through Secret, to
// the caller, which must hand it to the operator and nowhere else. Printed with any verb, a NewKey
// shows its id and a redaction, so a stray log line or %v cannot leak the secret.
type NewKey struct {
	ID      string
	Created time.Time
	// Orphans are keys an earlier try made before its answer was lost: nobody held their secrets,
	// so they were deleted before this key was made.
	Orphans []string
	secret  string
}

// Secret returns the secret access key.
func (k NewKey) Secret() string { return k.secret }

// redacted stands in for the secret wherever a NewKey is printed.
const redacted = "[secret redacted]"

// String shows the key id and a redaction.
func (k NewKey) String() string { return fmt.Sprintf("access key %s (%s)", k.ID, redacted) }

// GoString is what %#v prints.
func (k NewKey) GoString() string {
	return fmt.Sprintf("aws.NewKey{ID: %q, secret: %s}", k.ID, redacted)
}

// Format makes every verb (%v, %+v, %s, %d, %x, %q…) print the redacted form.
func (k NewKey) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, k.GoString())
		return
	}
	fmt.Fprint(f, k.String())
}
