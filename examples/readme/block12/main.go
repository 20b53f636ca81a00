// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:903

package main

import (
	"crypto/tls"
	"crypto/x509"
	"log"
	"net/http"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	pemBytes, err := os.ReadFile(os.Getenv("CHATINC_MOCK_CERT")) // the path chatinc-mock printed
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		log.Fatal("no certificate in CHATINC_MOCK_CERT")
	}
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"),
		chatinc.WithBaseURL("https://chatinc-mock:8443/v1"), chatinc.WithHTTPClient(hc))
	if err != nil {
		log.Fatal(err)
	}
	_ = chat
}
