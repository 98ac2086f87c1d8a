package steps

import (
	"strings"
	"testing"
)

// FuzzValidateAccessKeyID checks what the operator's paste can make of the first input of an
// incident: an accepted id is exactly 20 upper-case letters and digits starting AKIA or ASIA, and
// a refusal never repeats more than the first four characters of what was pasted, which may be a
// secret access key.
func FuzzValidateAccessKeyID(f *testing.F) {
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", " AKIAIOSFODNN7EXAMPLE\n",
		"akiaiosfodnn7example", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AKIA", "", "AKIAIOSFODNN7EXAMPL\u00c9", "\u00c5KIAIOSFODNN7EXAMPLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateAccessKeyID(s)
		id := strings.TrimSpace(s)
		if err == nil {
			if len(id) != 20 || !(strings.HasPrefix(id, "AKIA") || strings.HasPrefix(id, "ASIA")) || !accessKeyIDPattern.MatchString(id) {
				t.Fatalf("accepted %q", s)
			}
			return
		}
		// A pasted secret is 40 characters: the refusal may quote its first four, never the rest.
		if len(id) >= 16 && strings.Contains(err.Error(), id[4:]) {
			t.Fatalf("the refusal repeats what was pasted: %v", err)
		}
	})
}
