package aws

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestANewKeyPrintsItsIDButNeverItsSecret(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	k := NewKey{ID: "AKIAEXAMPLENEWKEY001", Created: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), secret: secret}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T %v"} {
		got := fmt.Sprintf(verb, k)
		if strings.Contains(got, secret) || strings.Contains(got, fmt.Sprintf("%x", secret)) || strings.Contains(got, secret[:8]) {
			t.Errorf("%s printed the secret: %s", verb, got)
		}
		if verb != "%T %v" && !strings.Contains(got, "redacted") {
			t.Errorf("%s does not say the secret is redacted: %s", verb, got)
		}
	}
	// Inside other values too, as a log line or an error would carry it.
	for _, v := range []any{[]NewKey{k}, struct{ Key NewKey }{k}, &k} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			if got := fmt.Sprintf(verb, v); strings.Contains(got, secret) {
				t.Errorf("%s of %T printed the secret: %s", verb, v, got)
			}
		}
	}
	if k.Secret() != secret {
		t.Fatal("Secret must still return the secret to the one caller that hands it to the operator")
	}
}
