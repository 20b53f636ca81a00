// Command gen writes the table of national number lengths by country calling
// code (see package numplan) into a package of the module:
//
//	go run ./internal/numplan/gen -pkg chatinc -o numbers_table.go
//
// `go generate ./...` runs it for the SDK and for chatinctest.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/chatinc/chatinc-go/internal/numplan"
)

func main() {
	pkg := flag.String("pkg", "", "the package name of the file to write")
	out := flag.String("o", "", "the file to write")
	flag.Parse()
	if *pkg == "" || *out == "" {
		log.Fatal("usage: gen -pkg NAME -o FILE")
	}
	src, err := numplan.Source(*pkg)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
