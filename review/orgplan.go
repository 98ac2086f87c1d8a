package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// OrgPlanDocument is a plan across the accounts of an organization: every account the sweep
// considered, each with how it was left, and for each account the attacker entered its own plan,
// naming its account. One digest covers them all; apply needs each changed account confirmed.
type OrgPlanDocument struct {
	Version           int       `json:"version"`
	Organization      string    `json:"organization"`
	ManagementAccount string    `json:"management_account"`
	Principal         string    `json:"principal"`
	Created           time.Time `json:"created"`
	Since             string    `json:"since,omitempty"`
	// Key is the leaked key the sweep followed; KeyAccount, the account that owns it.
	Key        string `json:"key"`
	KeyAccount string `json:"key_account,omitempty"`
	// Role and ExternalID are how lockdown enters the members; apply enters them the same way.
	Role       string       `json:"org_role"`
	ExternalID string       `json:"org_external_id,omitempty"`
	Accounts   []OrgAccount `json:"accounts"`
}

// OrgAccount is one account of an organization plan.
type OrgAccount struct {
	Account string           `json:"account"`
	Name    string           `json:"name,omitempty"`
	Status  OrgAccountStatus `json:"status"`
	// Cause says why an account failed or was skipped.
	Cause string `json:"cause,omitempty"`
	// EnteredWith are the credentials the attacker came in with, which this account's plan traces.
	EnteredWith []string `json:"entered_with,omitempty"`
	// Plan is the account's own plan, for an affected account.
	Plan *PlanDocument `json:"plan,omitempty"`
}

// OrgAccountStatus is how the sweep left an account.
type OrgAccountStatus string

const (
	// OrgAffected: the attacker acted in the account; it has its plan.
	OrgAffected OrgAccountStatus = "affected"
	// OrgClean: the trace found no attacker event in the account.
	OrgClean OrgAccountStatus = "clean"
	// OrgFailed: lockdown could not get in, or not read all of it: its state is unknown.
	OrgFailed OrgAccountStatus = "failed"
	// OrgSkipped: Organizations lists it as suspended or closing.
	OrgSkipped OrgAccountStatus = "skipped"
)

// Digest is the SHA-256 of the organization plan's canonical form, every account's plan in it.
func (d *OrgPlanDocument) Digest() string {
	data, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("review: an organization plan cannot be encoded: %v", err))
	}
	sum := sha256.Sum256(data)
	return digestPrefix + hex.EncodeToString(sum[:])
}

// Changed lists the accounts whose plans change something: the ids apply must be given.
func (d *OrgPlanDocument) Changed() []string {
	var out []string
	for _, a := range d.Accounts {
		if a.Plan != nil && a.Plan.Changes() > 0 {
			out = append(out, a.Account)
		}
	}
	return out
}

// Changes counts the changes of a plan, every step together.
func (d *PlanDocument) Changes() int {
	n := 0
	for _, s := range d.Steps {
		n += len(s.Changes)
	}
	return n
}

// SinceTime is the organization plan's T0.
func (d *OrgPlanDocument) SinceTime() (time.Time, error) {
	return (&PlanDocument{Since: d.Since}).SinceTime()
}

// WriteOrgPlan writes the document as indented JSON.
func WriteOrgPlan(w io.Writer, d *OrgPlanDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// CreateOrgPlanFile writes the document to a new file readable by its owner only; it never
// replaces an existing file.
func CreateOrgPlanFile(path string, d *OrgPlanDocument) error {
	return createPlanFile(path, func(w io.Writer) error { return WriteOrgPlan(w, d) })
}

// IsOrgPlan reports whether a plan file's text is an organization plan.
func IsOrgPlan(data []byte) bool {
	var probe struct {
		Organization *string `json:"organization"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Organization != nil
}

// ReadOrgPlanFile reads an organization plan strictly, as ReadPlanFile reads a plan.
func ReadOrgPlanFile(path string) (*OrgPlanDocument, error) {
	data, err := readPlanBytes(path)
	if err != nil {
		return nil, err
	}
	var d OrgPlanDocument
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, planSyntaxError(path, data, dec, err)
	}
	switch {
	case d.Version != PlanVersion:
		return nil, fmt.Errorf("%s is a plan of version %d; this lockdown reads version %d", path, d.Version, PlanVersion)
	case d.Organization == "" || d.ManagementAccount == "":
		return nil, fmt.Errorf("%s names no organization or management account: it is not a complete organization plan", path)
	}
	for _, a := range d.Accounts {
		if a.Plan != nil && a.Plan.Account != a.Account {
			return nil, fmt.Errorf("%s: the plan of account %s is for account %s", path, a.Account, a.Plan.Account)
		}
	}
	return &d, nil
}

// ReadPlanBytes reads a plan file's text, within the limits plans are read with.
func ReadPlanBytes(path string) ([]byte, error) { return readPlanBytes(path) }
