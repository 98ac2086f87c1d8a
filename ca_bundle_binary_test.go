package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"lockdown/aws/sim/simtest"
)

// An operator behind a corporate proxy sets AWS_CA_BUNDLE; lockdown against a custom endpoint
// (the simulator here) still loads its configuration and scans, as the AWS CLI would.
func TestACustomCABundleWorksWithACustomEndpoint(t *testing.T) {
	t.Parallel()
	s := simtest.Start(t, "crypto-miner", time.Now().UTC())
	root := t.TempDir()
	bundle := filepath.Join(root, "ca.pem")
	if err := os.WriteFile(bundle, selfSignedCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	id, secret := s.Server.ResponderCredentials()
	cmd := exec.Command(builtLockdown(t), "scan", "--endpoint-url", s.URL, "--regions", "us-east-1", "--journal", filepath.Join(root, "journal"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_REGION=us-east-1", "AWS_CA_BUNDLE=" + bundle,
		"AWS_CONFIG_FILE=" + filepath.Join(root, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(root, "none"),
		"AWS_EC2_METADATA_DISABLED=true", "LOCKDOWN_TEST_LOOKUP_INTERVAL=" + testLookupInterval.String(), "NO_COLOR=1"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scan with AWS_CA_BUNDLE set: %v\n%s", err, out)
	}
}

// selfSignedCA is a CA certificate in PEM, as a CA bundle holds.
func selfSignedCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "corporate proxy CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
