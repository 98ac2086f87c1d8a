package aws_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"lockdown/aws"
	"lockdown/aws/wiretest"
)

// lockedBuffer is a log destination safe for the SDK's concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTheSDKsOwnMessagesGoToTheRunsLog: the SDK's warnings reach the log the account was given —
// and the one a session names later, from clients made before — and nothing else.
func TestTheSDKsOwnMessagesGoToTheRunsLog(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(wiretest.AnswerCutShort))
	t.Cleanup(server.Close)
	first, later := &lockedBuffer{}, &lockedBuffer{}
	acct, err := aws.Open(context.Background(), aws.Options{EndpointURL: server.URL, Region: "us-east-1", AccessKeyID: "AKIDTEST",
		SecretAccessKey: "secret", MaxAttempts: 1, Log: slog.New(slog.NewTextHandler(first, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acct.WhoAmI(context.Background()); err == nil {
		t.Fatal("a body cut short was read as an answer")
	}
	if !strings.Contains(first.String(), "source=aws-sdk") {
		t.Fatalf("the SDK's warning is not in the run's log:\n%s", first.String())
	}
	// A session names its own log once it has opened it: the clients made before write there.
	acct.UseLogger(slog.New(slog.NewTextHandler(later, nil)))
	_, _ = acct.WhoAmI(context.Background())
	if !strings.Contains(later.String(), "source=aws-sdk") {
		t.Fatalf("the STS client made before UseLogger still writes elsewhere:\n%s", later.String())
	}
}
