package steps

import "log/slog"

// Secret is a credential the operator must see exactly once, such as a new secret access key.
// It never reaches the journal, a report, a log or JSON output: every way of printing it yields a
// redaction, and Wipe overwrites it once the operator has dealt with it.
type Secret struct {
	Label       string
	AccessKeyID string
	value       []byte
}

// NewSecret wraps a secret value.
func NewSecret(label, accessKeyID, value string) Secret {
	return Secret{Label: label, AccessKeyID: accessKeyID, value: []byte(value)}
}

// Reveal returns the secret value for the one place allowed to show or save it.
func (s Secret) Reveal() string { return string(s.value) }

// Len is the length of the value, for masking.
func (s Secret) Len() int { return len(s.value) }

// Wipe overwrites the value in place.
func (s Secret) Wipe() {
	for i := range s.value {
		s.value[i] = 0
	}
}

const redacted = "[secret redacted]"

func (s Secret) String() string               { return redacted }
func (s Secret) GoString() string             { return redacted }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
