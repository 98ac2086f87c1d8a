package simfuzz_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"lockdown/aws/sim"
)

// FuzzScenarioLoad feeds the scenario loader arbitrary files: it must refuse or accept each without
// panicking, and whatever it accepts must build a simulated account.
func FuzzScenarioLoad(f *testing.F) {
	for _, name := range sim.ScenarioNames() {
		data, err := sim.BuiltinScenarioText(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(header + "faults:\n  - {region: eu-west-1, latency: 10ms}\n  - {service: iam, lose_answer: drop, rate: 0.5}\n"))
	f.Add([]byte(header + "ec2: [[[[{a: [1, 2]}]]]]\n"))
	f.Add([]byte(header + "description: |\n  text [ {\nattacker:\n  events:\n    - {service: sts, action: GetCallerIdentity, every: 1s, times: 3}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := sim.ParseScenario("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if _, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(testStart)}); err != nil {
			// Cross-references (a policy or group that does not exist) are checked while building.
			return
		}
	})
}

// FuzzRequestParse sends the simulator arbitrary signed-looking requests: every one gets an
// answer with a status and, when it is an error, an AWS error code.
func FuzzRequestParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLERESPONDER/20261128/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00",
		"/", "Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2Falice&ActionNames.member.1=iam%3A%2A&MaxItems=1")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLERESPONDER/20261128/eu-west-1/ec2/aws4_request", "/?Action=DescribeInstances",
		"Version=2016-11-15&MaxResults=5&Filter.1.Name=instance-state-name&Filter.1.Value.1=running&NextToken=page-3")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLERESPONDER/20261128/us-east-1/sts/aws4_request", "/", "Action=GetCallerIdentity")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLERESPONDER/20261128/us-east-1/ec2/aws4_request", "/",
		"Action=DescribeInstanceAttribute&InstanceId=i-0&Attribute=disableApiTermination&DryRun=true")
	f.Add("AWS4-HMAC-SHA256 Credential=x/y", "/", "%zz=&&Action")
	f.Add("", "/", "")
	sc, err := sim.LoadScenario("crypto-miner")
	if err != nil {
		f.Fatal(err)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(testStart)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth, target, body string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			target = "/"
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // net/http answers 400 itself; such a request never reaches the simulator
		}
		req := httptest.NewRequest(http.MethodPost, "http://sim.test"+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 400 && !strings.Contains(rec.Body.String(), "<Code>") {
			t.Fatalf("status %d without an AWS error code: %s", rec.Code, rec.Body)
		}
		if rec.Code < 400 && !strings.Contains(rec.Body.String(), "Response") {
			t.Fatalf("status %d without a response document: %s", rec.Code, rec.Body)
		}
	})
}

var testStart = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

const header = "name: x\naccount: {id: \"111122223333\"}\n"
