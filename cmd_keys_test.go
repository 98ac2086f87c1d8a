package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"lockdown/aws/sim/simtest"
)

func TestKeysJSONIsOneDocumentWithFlagsAndNoSecret(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	url := s.URL
	id, secret := s.Server.ResponderCredentials()

	// A key created just now, whose secret must not surface anywhere in the report.
	client := iam.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	created, err := client.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	g := &Globals{LookupInterval: testLookupInterval, EndpointURL: url, credentials: responder(s.Server), transport: inProcessWire, Since: "3h", stdout: &stdout, stderr: &stderr}
	if err := (&KeysCmd{JSON: true, Workers: 4}).Run(g); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v", err)
	}
	for _, key := range []string{"account", "since", "root", "users"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	out := stdout.String() + stderr.String()
	if strings.Contains(out, *created.AccessKey.SecretAccessKey) || strings.Contains(out, secret) {
		t.Fatal("a secret access key appeared in lockdown keys --json")
	}
	if !strings.Contains(out, "user-created-after-t0") || !strings.Contains(out, *created.AccessKey.AccessKeyId) {
		t.Fatalf("report lacks the flagged backdoor user or the new key id:\n%s", out)
	}
}
