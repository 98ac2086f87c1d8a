package steps

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"lockdown/aws"
)

// ScanDocument is the headless scan's JSON output: one document, the contract of `lockdown scan --json`.
type ScanDocument struct {
	Account   string          `json:"account"`
	ScannedAt time.Time       `json:"scanned_at"`
	Since     *time.Time      `json:"since"`
	Regions   []RegionSummary `json:"regions"`
	// RegionsError says why the account's regions could not be listed (only the home region was
	// then scanned); empty when they were.
	RegionsError string          `json:"regions_error,omitempty"`
	Instances    []RogueInstance `json:"instances"`
	// Retries counts every AWS attempt beyond the first of its call, throttling and 5xx included.
	Retries int `json:"retries"`
}

// RegionSummary is one region's line of the scan document.
type RegionSummary struct {
	Region     string `json:"region"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	Instances  int    `json:"instances"`
	DurationMS int64  `json:"duration_ms"`
	Retries    int    `json:"retries"`
	// Evidence says whether verdicts in the region rest on CloudTrail or on timestamps, and why.
	Evidence string `json:"evidence,omitempty"`
}

// NewScanDocument renders findings for the headless scan.
func NewScanDocument(account string, since time.Time, f *InstanceFindings) *ScanDocument {
	doc := &ScanDocument{Account: account, ScannedAt: f.Scan.StartedAt.UTC(), Instances: f.Instances, RegionsError: f.Scan.Unlisted}
	if doc.Instances == nil {
		doc.Instances = []RogueInstance{}
	}
	if !since.IsZero() {
		s := since.UTC()
		doc.Since = &s
	}
	for _, r := range f.Scan.Regions {
		sum := RegionSummary{Region: r.Region, Status: string(r.Status), Instances: r.Count(), DurationMS: r.Duration.Milliseconds(), Retries: r.Retries}
		if r.Status == aws.RegionFailed || r.Status == aws.RegionSkipped {
			sum.Error = r.Code + ": " + r.Message
		}
		doc.Regions = append(doc.Regions, sum)
	}
	return doc
}

// WriteTable prints the document for a person: regions first (failures are never hidden), then
// instances, most suspicious first, each with its reasons.
func (d *ScanDocument) WriteTable(w io.Writer) error {
	since := "not set (nothing can be judged rogue; use --since)"
	if d.Since != nil {
		since = d.Since.Format(time.RFC3339)
	}
	fmt.Fprintf(w, "Account %s, scanned %s, incident start %s\n\n", d.Account, d.ScannedAt.Format(time.RFC3339), since)
	if d.RegionsError != "" {
		fmt.Fprintf(w, "The account's regions could not be listed: %s\nOnly the regions below were scanned.\n\n", d.RegionsError)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tSTATUS\tINSTANCES\tTIME\tERROR\tVERDICTS BY")
	for _, r := range d.Regions {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%dms\t%s\t%s\n", r.Region, r.Status, r.Instances, r.DurationMS, dash(r.Error), dash(r.Evidence))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(d.Instances) == 0 {
		_, err := fmt.Fprintln(w, "No running or stopped instances found.")
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERDICT\tREGION\tINSTANCE\tTYPE\tSTATE\tLAUNCHED (UTC)\tKEY\tREASONS")
	for _, in := range d.Instances {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.Verdict, in.Region, in.ID, in.Type, in.State,
			in.LaunchTime.Format("2006-01-02 15:04"), dash(in.KeyName), dash(strings.Join(in.Reasons, "; ")))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
