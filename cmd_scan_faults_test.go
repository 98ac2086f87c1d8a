package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
	"lockdown/aws/wiretest"
	"lockdown/steps"
)

// scanThroughProxy runs `lockdown scan --json` against the drill account through a fault proxy,
// with a short call timeout and a compressed retry clock (10 ms stands for AWS's 1 s).
func scanThroughProxy(t *testing.T, srv *sim.Server, proxy *wiretest.Proxy, extra ...string) (int, *steps.ScanDocument, string, time.Duration) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"scan", "--json", "--since", "3h", "--endpoint-url", proxy.URL,
		"--call-timeout", "1s", "--retry-base", "10ms"}, extra...)
	start := time.Now()
	code := runAsResponder(srv, args, &stdout, &stderr)
	took := time.Since(start)
	if stdout.Len() == 0 {
		return code, nil, stderr.String(), took
	}
	var doc steps.ScanDocument
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout.String())
	}
	return code, &doc, stderr.String(), took
}

func regionStatus(doc *steps.ScanDocument, region string) string {
	for _, r := range doc.Regions {
		if r.Region == region {
			return r.Status
		}
	}
	return "absent"
}

func TestScanWhoseSTSNeverAnswersPrintsTheScanAndExitsThree(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	proxy := wiretest.StartProxy(t, url, wiretest.Rule{Service: "sts", Fault: wiretest.Hang()})
	code, doc, stderr, took := scanThroughProxy(t, srv, proxy)
	if code != exitPartial {
		t.Fatalf("exit %d, want 3 (STS never answered); stderr:\n%s", code, stderr)
	}
	if doc == nil || len(doc.Instances) == 0 || regionStatus(doc, "us-east-1") != "ok" {
		t.Fatalf("the scan that did finish was not printed: %+v", doc)
	}
	if !strings.Contains(stderr, "could not be confirmed") {
		t.Errorf("stderr does not say the account is unconfirmed:\n%s", stderr)
	}
	if took > 20*time.Second {
		t.Errorf("the scan took %s with a 1s call timeout", took)
	}
}

func TestScanWhoseDescribeRegionsNeverAnswersKeepsTheHomeRegion(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	proxy := wiretest.StartProxy(t, url, wiretest.Rule{Action: "DescribeRegions", Fault: wiretest.Hang()})
	code, doc, stderr, _ := scanThroughProxy(t, srv, proxy)
	if code != exitPartial || doc == nil {
		t.Fatalf("exit %d with document %v, want 3 and the home region's scan; stderr:\n%s", code, doc, stderr)
	}
	if regionStatus(doc, "us-east-1") != "ok" || !strings.Contains(doc.RegionsError, "did not answer") {
		t.Fatalf("home region %s, regions error %q", regionStatus(doc, "us-east-1"), doc.RegionsError)
	}
	if countAction(proxy, "DescribeRegions") < 2 {
		t.Errorf("a timed-out DescribeRegions attempt was not retried:\n%v", proxy.Requests())
	}
}

func TestScanWithEC2DeniedInTheHomeRegionPrintsJSONAndSuggestsAnotherRegion(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	if err := srv.AddFault(sim.Fault{Region: "us-east-1", Service: "ec2", Deny: true}); err != nil {
		t.Fatal(err)
	}
	proxy := wiretest.StartProxy(t, url)
	code, doc, stderr, _ := scanThroughProxy(t, srv, proxy)
	if code != exitPartial || doc == nil {
		t.Fatalf("exit %d with document %v, want 3 and JSON; stderr:\n%s", code, doc, stderr)
	}
	if regionStatus(doc, "us-east-1") != "error" || !strings.Contains(doc.RegionsError, "UnauthorizedOperation") {
		t.Fatalf("home region %s, regions error %q", regionStatus(doc, "us-east-1"), doc.RegionsError)
	}
	if !strings.Contains(stderr, "--region") {
		t.Errorf("stderr does not suggest --region:\n%s", stderr)
	}
}

func TestScanRidesOutAnEC2OutageAndCountsItsRetries(t *testing.T) {
	t.Parallel()
	srv, url := serveDrill(t)
	// Seven 500s in a row on DescribeRegions and on the home region: the SDK's own budget gives up
	// after one to three seconds; lockdown's rides out 22 s of them (220 ms at 10 ms per second).
	proxy := wiretest.StartProxy(t, url,
		wiretest.Rule{Action: "DescribeRegions", Fault: wiretest.ServerError(500), Times: 7},
		wiretest.Rule{Region: "us-east-1", Service: "ec2", Fault: wiretest.ServerError(500), Times: 7})
	code, doc, stderr, _ := scanThroughProxy(t, srv, proxy, "--regions", "us-east-1,us-west-2,eu-west-1")
	if code != exitOK || doc == nil {
		t.Fatalf("exit %d, want 0: the outage should be ridden out; stderr:\n%s", code, stderr)
	}
	for _, r := range []string{"us-east-1", "us-west-2", "eu-west-1"} {
		if regionStatus(doc, r) != "ok" {
			t.Errorf("%s: %s", r, regionStatus(doc, r))
		}
	}
	if doc.Retries == 0 || !strings.Contains(stderr, "retries") {
		t.Errorf("retries not reported: JSON %d; stderr:\n%s", doc.Retries, stderr)
	}
	// As they happen, not only counted at the end.
	if !regexp.MustCompile(`us-east-1: InternalError, retry \d+ in \d+ ms \(ec2 Describe`).MatchString(stderr) {
		t.Errorf("the retries were not shown as they happened; stderr:\n%s", stderr)
	}
}

func countAction(p *wiretest.Proxy, action string) int {
	n := 0
	for _, q := range p.Requests() {
		if q.Action == action {
			n++
		}
	}
	return n
}
