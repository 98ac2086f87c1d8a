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

	"lockdown/aws/sim"
)

func TestKeysJSONIsOneDocumentWithFlagsAndNoSecret(t *testing.T) {
	sc, err := sim.LoadScenario("crypto-miner")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sim.New(sc, sim.Options{Clock: sim.NewManualClock(time.Now().UTC())})
	if err != nil {
		t.Fatal(err)
	}
	l, err := sim.Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	id, secret := srv.ResponderCredentials()
	t.Setenv("AWS_ACCESS_KEY_ID", id)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")

	// A key created just now, whose secret must not surface anywhere in the report.
	client := iam.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(l.URL),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	created, err := client.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: sdk.String("alice")})
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	g := &Globals{EndpointURL: l.URL, Since: "3h", stdout: &stdout, stderr: &stderr}
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
