package sim

import (
	"context"
	"net/http"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestScenarioLatencyIsAddedToEveryRequest(t *testing.T) {
	sc, err := ParseScenario("slow", []byte("name: slow\naccount: {id: \"111122223333\"}\nincident_start: -1h\nfaults:\n  - latency: 150ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Listen(srv, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	defer func() { transport.CloseIdleConnections(); _ = l.Close() }()
	id, secret := srv.ResponderCredentials()
	client := sts.NewFromConfig(sdk.Config{Region: "us-east-1", BaseEndpoint: sdk.String(l.URL),
		HTTPClient: &http.Client{Transport: transport}, Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	start := time.Now()
	if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("the request took %s: the scenario's 150ms latency was not added", took)
	}
}
