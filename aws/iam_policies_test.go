package aws

import (
	"net/url"
	"testing"
	"time"
)

func TestRevocationCutoffReadsBackWhatRevokeSessionsDocumentWrites(t *testing.T) {
	at := time.Date(2026, 11, 28, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		doc  string
		want time.Time
		ok   bool
	}{
		{"a whole second is kept", RevokeSessionsDocument(at), at, true},
		{"a fraction rounds up, so nothing minted in that second survives", RevokeSessionsDocument(at.Add(300 * time.Millisecond)), at.Add(time.Second), true},
		{"IAM's URL encoding is undone", url.QueryEscape(RevokeSessionsDocument(at)), at, true},
		{"an allow policy is not a revocation", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, time.Time{}, false},
		{"garbage is not a revocation", `not json`, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RevocationCutoff(tt.doc)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("got %v %v, want %v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
