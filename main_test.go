package chatinc_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testCert is a self-signed certificate for 127.0.0.1, ::1 and localhost,
// made in TestMain and trusted through SSL_CERT_FILE: a TLS test server that
// presents it is trusted by the SDK's own default transport, exactly as the
// real API's certificate is, with nothing in the client replaced.
var testCert tls.Certificate

// TestMain makes testCert and points SSL_CERT_FILE (and SSL_CERT_DIR) at it
// before any test runs. crypto/x509 loads the system roots once per
// process, on the first verification that uses them, so this must happen
// before any TLS client of the test binary verifies a certificate.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chatinc-test-cert-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "test certificate:", err)
		os.Exit(2)
	}
	if err := makeTestCert(dir); err != nil {
		fmt.Fprintln(os.Stderr, "test certificate:", err)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func makeTestCert(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "chatinc-go test server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if testCert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return err
	}
	file := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(file, certPEM, 0o600); err != nil {
		return err
	}
	// SSL_CERT_DIR too, so that only this certificate is trusted: the tests
	// never reach a real host.
	if err := os.Setenv("SSL_CERT_FILE", file); err != nil {
		return err
	}
	return os.Setenv("SSL_CERT_DIR", dir)
}
