package steps

import (
	"bufio"
	"encoding/json"
	"io"
	"time"
)

// ScanStream writes the scan document as the scan goes — the account and times first, then each
// region's instances as they are judged, then the regions and the totals — so a script reading
// `scan --json` sees the instances of the regions that finished while the others still run, and
// nothing holds the whole document. It is still one JSON document: ScanDocument's fields, with
// "instances" before "regions", one instance a line.
type ScanStream struct {
	w   *bufio.Writer
	err error
	// open says the document has begun; instances counts those written.
	open      bool
	instances int
}

// NewScanStream writes to w.
func NewScanStream(w io.Writer) *ScanStream { return &ScanStream{w: bufio.NewWriterSize(w, 64<<10)} }

// Begin writes the document's opening: the account, when the scan started, and T0.
func (s *ScanStream) Begin(account string, scannedAt, since time.Time) error {
	if s.open {
		return s.err
	}
	s.open = true
	s.write("{\n")
	s.field("account", account, true)
	s.field("scanned_at", scannedAt.UTC(), true)
	var t0 *time.Time
	if !since.IsZero() {
		u := since.UTC()
		t0 = &u
	}
	s.field("since", t0, true)
	s.write(`  "instances": [`)
	return s.err
}

// Instances writes judged instances and sends them on at once.
func (s *ScanStream) Instances(list []RogueInstance) error {
	for i := range list {
		if s.instances > 0 {
			s.write(",")
		}
		s.write("\n    ")
		s.compact(&list[i])
		s.instances++
	}
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}

// End closes the document with the regions and totals of doc (its instances are ignored: they
// were written as they came).
func (s *ScanStream) End(doc *ScanDocument) error {
	if !s.open {
		since := time.Time{}
		if doc.Since != nil {
			since = *doc.Since
		}
		_ = s.Begin(doc.Account, doc.ScannedAt, since)
	}
	if s.instances > 0 {
		s.write("\n  ")
	}
	s.write("],\n")
	regions := doc.Regions
	if regions == nil {
		regions = []RegionSummary{}
	}
	s.field("regions", regions, true)
	if doc.RegionsError != "" {
		s.field("regions_error", doc.RegionsError, true)
	}
	s.field("retries", doc.Retries, false)
	s.write("}\n")
	if s.err == nil {
		s.err = s.w.Flush()
	}
	return s.err
}

func (s *ScanStream) field(name string, v any, more bool) {
	s.write("  ")
	s.value(name, "  ")
	s.write(": ")
	s.value(v, "  ")
	if more {
		s.write(",")
	}
	s.write("\n")
}

func (s *ScanStream) value(v any, prefix string) {
	if s.err != nil {
		return
	}
	data, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		s.err = err
		return
	}
	_, s.err = s.w.Write(data)
}

// compact writes v on one line: an instance a line, which scripts and grep read as easily.
func (s *ScanStream) compact(v any) {
	if s.err != nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	_, s.err = s.w.Write(data)
}

func (s *ScanStream) write(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}
