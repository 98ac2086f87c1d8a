package aws

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"lockdown/aws/sim"
)

// answering is an HTTP client that answers every request with one body.
type answering struct{ body []byte }

func (a answering) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(bytes.NewReader(a.body))}, nil
}

// bothWays reads one DescribeInstances answer through the SDK's decoder and through the scan's
// compact reader.
func bothWays(t *testing.T, body []byte) (sdkWay, compact []Instance, sdkToken, compactToken string) {
	t.Helper()
	client := ec2.New(ec2.Options{Region: "eu-west-1", HTTPClient: answering{body}, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	plain, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatalf("the SDK cannot read the answer: %v", err)
	}
	for _, r := range plain.Reservations {
		for _, i := range r.Instances {
			sdkWay = append(sdkWay, instanceFrom("eu-west-1", i))
		}
	}
	read, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}, readPagesCompactly("eu-west-1", newInterner()))
	if err != nil {
		t.Fatalf("the compact reader cannot read the answer: %v", err)
	}
	if len(read.Reservations) != 0 {
		t.Error("the SDK decoded the instances the compact reader had read")
	}
	return sdkWay, instancesOf(read, "eu-west-1"), sdk.ToString(plain.NextToken), sdk.ToString(read.NextToken)
}

// TestTheCompactPageReaderReadsWhatTheSDKReads holds the scan's own reader to the SDK's decoder,
// field for field, on an answer shaped as AWS documents it (nested items, entities, self-closing
// elements, comments, several reservations, a spot instance without key or tags) and on the
// simulator's. A field the scan keeps that the reader does not fill fails here.
func TestTheCompactPageReaderReadsWhatTheSDKReads(t *testing.T) {
	fixture, err := os.ReadFile("testdata/describe-instances.xml")
	if err != nil {
		t.Fatal(err)
	}
	simulated := simulatorPage(t)
	for name, body := range map[string][]byte{"AWS's documented shape": fixture, "the simulator's": simulated} {
		sdkWay, compact, sdkToken, compactToken := bothWays(t, body)
		if len(sdkWay) == 0 {
			t.Fatalf("%s: no instances in the page", name)
		}
		if !reflect.DeepEqual(sdkWay, compact) {
			t.Errorf("%s: the compact reader read\n%+v\nthe SDK\n%+v", name, compact, sdkWay)
		}
		if sdkToken != compactToken {
			t.Errorf("%s: next token %q, the SDK's %q", name, compactToken, sdkToken)
		}
	}
}

// simulatorPage is a DescribeInstances answer of the simulated account, as it is served.
func simulatorPage(t *testing.T) []byte {
	t.Helper()
	sc, err := sim.LoadScenario("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	id, secret := srv.ResponderCredentials()
	client := ec2.New(ec2.Options{Region: "us-west-2", RetryMaxAttempts: 1, BaseEndpoint: sdk.String("http://sim.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient:  recordingDoer{handler: srv, keep: func(b []byte) { out = b }}})
	if _, err := client.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// recordingDoer serves requests with a handler in-process and keeps the answer's body.
type recordingDoer struct {
	handler http.Handler
	keep    func([]byte)
}

func (d recordingDoer) Do(req *http.Request) (*http.Response, error) {
	rec := &bodyRecorder{header: http.Header{}, status: 200}
	d.handler.ServeHTTP(rec, req)
	d.keep(rec.body.Bytes())
	return &http.Response{StatusCode: rec.status, Header: rec.header, Body: io.NopCloser(bytes.NewReader(rec.body.Bytes()))}, nil
}

type bodyRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *bodyRecorder) Header() http.Header         { return r.header }
func (r *bodyRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *bodyRecorder) WriteHeader(status int)      { r.status = status }

// TestTheCompactPageReaderRefusesBrokenXML: a page cut short or malformed is an error, never a
// shorter list of instances.
func TestTheCompactPageReaderRefusesBrokenXML(t *testing.T) {
	fixture, err := os.ReadFile("testdata/describe-instances.xml")
	if err != nil {
		t.Fatal(err)
	}
	cut := fixture[:len(fixture)*2/3]
	for name, body := range map[string]string{
		"cut short":        string(cut),
		"mismatched tags":  strings.Replace(string(fixture), "</instanceType>", "</instanceTyp>", 1),
		"unknown entity":   strings.Replace(string(fixture), "&amp;", "&nbsp;", 1),
		"bad launch time":  strings.Replace(string(fixture), "2018-05-08T16:46:19.000Z</launchTime>", "yesterday</launchTime>", 1),
		"unclosed comment": strings.Replace(string(fixture), "-->", "", 1),
	} {
		if _, err := readInstancePage(strings.NewReader(body), "eu-west-1", newInterner()); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}
