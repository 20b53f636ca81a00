package main

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
	"time"
)

// defaultNames are the names a generated certificate is valid for: the
// loopback names, the machine's host name, and host (the -addr host) when
// it is a specific name or address.
func defaultNames(host string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if name, err := os.Hostname(); err == nil && name != "" {
		names = append(names, name)
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		names = append(names, host)
	}
	return names
}

// selfSigned makes a self-signed ECDSA P-256 certificate valid from a minute
// before now for 30 days, for names (host names or IP addresses). It
// returns the certificate with its key, and the certificate alone as PEM.
func selfSigned(names []string, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"chatinc-mock"}, CommonName: "chatinc-mock"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that it can be added to a pool of roots as it is
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}

// writeCert writes a certificate's PEM to path, or to a new file in the
// temporary directory when path is "", and returns the file's path.
func writeCert(path string, pemBytes []byte) (string, error) {
	if path != "" {
		if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
			return "", fmt.Errorf("writing the certificate: %w", err)
		}
		return path, nil
	}
	f, err := os.CreateTemp("", "chatinc-mock-*.pem")
	if err != nil {
		return "", fmt.Errorf("writing the certificate: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		f.Close()
		return "", fmt.Errorf("writing the certificate: %w", err)
	}
	return f.Name(), f.Close()
}
