package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"lockdown/runbooks"
)

// digestPrefix names the hash, so a digest can never be taken for another kind.
const digestPrefix = "sha256:"

// Digest is the SHA-256 of the plan file: every byte a reviewer was shown, and nothing else. A
// document read from a file has the digest of that file's bytes, so any change to the file — a
// value, a field this build ignores, text after the JSON, even its layout — is a different plan. A
// document made in memory has the digest of the bytes WritePlan writes for it, which is what plan
// writes to its file or to stdout.
func (d *PlanDocument) Digest() string {
	if d.fileDigest != "" {
		return d.fileDigest
	}
	var b bytes.Buffer
	if err := WritePlan(&b, d); err != nil {
		// Only strings, numbers, times and lists: this cannot fail for a document that was read.
		panic(fmt.Sprintf("review: a plan document cannot be encoded: %v", err))
	}
	return digestOf(b.Bytes())
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return digestPrefix + hex.EncodeToString(sum[:])
}

// SameDigest compares a digest typed by the operator, with or without its sha256: prefix.
func SameDigest(typed, digest string) bool {
	typed = strings.ToLower(strings.TrimSpace(typed))
	return digestPrefix+strings.TrimPrefix(typed, digestPrefix) == digest
}

// SinceTime is the plan's T0: verdicts depend on it, so planning again must use the reviewed one.
func (d *PlanDocument) SinceTime() (time.Time, error) {
	if d.Since == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, d.Since)
	if err != nil {
		return t, fmt.Errorf("the plan's since %q is not an RFC 3339 time", d.Since)
	}
	return t, nil
}

// CreatesKeys reports whether applying the plan creates access keys, whose secrets need a file.
func (d *PlanDocument) CreatesKeys() bool {
	for _, ps := range d.Steps {
		for _, ch := range ps.Changes {
			if ch.Op == "iam:CreateAccessKey" {
				return true
			}
		}
	}
	return false
}

// CheckSteps refuses a plan made from another runbook, or from another version of it.
func (d *PlanDocument) CheckSteps(rb *runbooks.Runbook) error {
	if rb.ID != d.Runbook {
		return fmt.Errorf("the plan follows runbook %s, but this run loads %s: use the same --runbook as the plan", d.Runbook, rb.ID)
	}
	var want, got []string
	for _, s := range rb.Steps {
		want = append(want, s.ID)
	}
	for _, ps := range d.Steps {
		got = append(got, ps.Step)
	}
	if !slices.Equal(want, got) {
		return errors.New("the plan's steps are not this runbook's: the runbook changed since the plan was made; plan again")
	}
	return nil
}
