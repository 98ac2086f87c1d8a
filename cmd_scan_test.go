package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/sim/simtest"
	"lockdown/steps"
)

// serveDrill serves the built-in drill on loopback; commands reach it with responder(srv).
func serveDrill(t *testing.T) (*sim.Server, string) {
	t.Helper()
	s := simtest.Start(t, "crypto-miner", time.Now())
	return s.Server, s.URL
}

func TestScanJSONIsOneDocumentAndAFailedRegionExitsThree(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	if err := srv.AddFault(sim.Fault{Region: "eu-north-1", Service: "ec2", Deny: true}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	err := (&ScanCmd{JSON: true, Concurrency: 16}).Run(g)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitPartial {
		t.Fatalf("want exit 3 for the denied region, got %v", err)
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout.String())
	}
	// 19 of the attacker and the account, 2 of its Auto Scaling scale-out after T0; eu-north-1 is unread.
	if doc.Account != "111122223333" || doc.Since == nil || len(doc.Instances) != 21 {
		t.Fatalf("account %s, since %v, %d instances", doc.Account, doc.Since, len(doc.Instances))
	}
	statuses := map[string]string{}
	for _, r := range doc.Regions {
		statuses[r.Region] = r.Status + " " + r.Error
	}
	if !strings.HasPrefix(statuses["eu-north-1"], "error UnauthorizedOperation") || !strings.HasPrefix(statuses["af-south-1"], "skipped") {
		t.Fatalf("region statuses: %v", statuses)
	}
	// Instances come region by region, as each region finishes, most suspicious first within it.
	for i := 1; i < len(doc.Instances); i++ {
		a, b := doc.Instances[i-1], doc.Instances[i]
		if a.Region == b.Region && suspicion[a.Verdict] > suspicion[b.Verdict] {
			t.Errorf("in %s, %s (%s) comes before %s (%s)", a.Region, a.ID, a.Verdict, b.ID, b.Verdict)
		}
	}
	if !slices.ContainsFunc(doc.Instances, func(in steps.RogueInstance) bool { return in.Verdict == steps.VerdictRogue }) ||
		!strings.Contains(stderr.String(), "FAILED") {
		t.Fatalf("no rogue instance, or the failed region not on stderr: %s", stderr.String())
	}
}

var suspicion = map[steps.Verdict]int{steps.VerdictRogue: 0, steps.VerdictSuspicious: 1, steps.VerdictProtected: 2, steps.VerdictOK: 3}

// TestScanJSONWritesTheInstancesOfARegionAsItFinishes: with one region slow to answer, the
// instances of the others are on stdout before the scan ends, and the whole is still one document.
func TestScanJSONWritesTheInstancesOfARegionAsItFinishes(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	const slow = 2 * time.Second
	if err := srv.AddFault(sim.Fault{Region: "sa-east-1", Service: "ec2", Latency: slow.String()}); err != nil {
		t.Fatal(err)
	}
	out := &firstWrite{}
	var stderr bytes.Buffer
	start := time.Now()
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: out, stderr: &stderr}
	if err := (&ScanCmd{JSON: true}).Run(g); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if out.first.IsZero() || out.first.Sub(start) > took-slow/2 {
		t.Errorf("the first instances were written %s after the start of a scan of %s: they waited for the slow region", out.first.Sub(start), took)
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(out.buf.Bytes(), &doc); err != nil || len(doc.Instances) != 24 || len(doc.Regions) == 0 {
		t.Fatalf("not one whole document (%v, %d instances):\n%s", err, len(doc.Instances), out.buf.String())
	}
}

// firstWrite keeps what is written and when an instance was first written.
type firstWrite struct {
	buf   bytes.Buffer
	first time.Time
}

func (w *firstWrite) Write(p []byte) (int, error) {
	if w.first.IsZero() && bytes.Contains(p, []byte(`"id":`)) {
		w.first = time.Now()
	}
	return w.buf.Write(p)
}

func TestScanTableListsRegionsAndReasons(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	if err := (&ScanCmd{Regions: []string{"us-east-1", "us-west-2"}, Concurrency: 4}).Run(g); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	for _, want := range []string{"REGION", "us-west-2", "rogue", "key pair xmr was created after T0", "protected: tagged lockdown:protect=true"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

func TestScanOfARegionThatDoesNotExistIsBadUsage(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	err := (&ScanCmd{Regions: []string{"us-east-1", "us-est-2"}, Concurrency: 4}).Run(g)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "us-est-2") {
		t.Fatalf("scanning the misspelt region us-est-2 returned %v, want bad usage naming it", err)
	}
	if strings.Contains(stdout.String(), "No instances") || stdout.Len() != 0 {
		t.Errorf("a bad --regions still printed a result:\n%s", stdout.String())
	}
}

func TestScanAndKeysRefuseAnotherAccountThanTheNamedOne(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	for name, cmd := range map[string]interface{ Run(*Globals) error }{
		"scan": &ScanCmd{Regions: []string{"us-east-1"}, Concurrency: 4},
		"keys": &KeysCmd{Workers: 2},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(srv), transport: inProcessWire, Since: "3h", Account: "999988887777", stdout: &stdout, stderr: &stderr}
			err := cmd.Run(g)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitFailed || !strings.Contains(err.Error(), "111122223333") ||
				!strings.Contains(err.Error(), "999988887777") {
				t.Fatalf("%s in the wrong account returned %v, want exit 1 naming both accounts", name, err)
			}
			if stdout.Len() != 0 {
				t.Errorf("%s printed the wrong account's findings:\n%s", name, stdout.String())
			}
		})
	}
}
