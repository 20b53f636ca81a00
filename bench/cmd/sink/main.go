// Command sink is the upload benchmark's server: it reads each request's
// body to its end (a multipart form part by part, or a plain body), throws
// the bytes away and answers success. It prints its base URL, then serves
// until killed.
//
// Usage: sink [-addr 127.0.0.1:0]
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	_ = os.Stdout.Sync()
	log.Fatal(http.Serve(ln, http.HandlerFunc(serve)))
}

func serve(w http.ResponseWriter, r *http.Request) {
	var n int64
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
		mr, merr := r.MultipartReader()
		if merr != nil {
			http.Error(w, merr.Error(), http.StatusBadRequest)
			return
		}
		for {
			p, perr := mr.NextPart()
			if perr == io.EOF {
				break
			}
			if perr != nil {
				err = perr
				break
			}
			m, cerr := io.Copy(io.Discard, p)
			n += m
			if cerr != nil {
				err = cerr
				break
			}
		}
	} else {
		n, err = io.Copy(io.Discard, r.Body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"success","message":"received %d bytes","id":"a"}`+"\n", n)
}
