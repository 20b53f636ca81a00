// Command upload is one contender of the upload benchmark: it sends one
// file to a sink (bench/cmd/sink) and prints the seconds it took.
//
//	-mode sdk        CreateAudienceFromFile(FileFromPath(file)), the SDK's own transport
//	-mode multipart  the same bytes written by hand: the SDK's framing (parts,
//	                 headers, exact Content-Length) streamed through net/http
//	-mode sendfile   the file's bytes alone as a plain body (*os.File, exact
//	                 Content-Length): what net/http hands to sendfile(2)
//	-mode raw        a fixed request header, then io.Copy of the *os.File to
//	                 the TCP connection: the kernel's limit for those bytes
//
// Usage: upload -mode sdk|multipart|sendfile|raw -url http://127.0.0.1:PORT -file big.csv
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/bench/internal/kit"
)

func main() {
	mode := flag.String("mode", "sdk", "sdk, multipart, sendfile or raw")
	base := flag.String("url", "", "the sink's URL")
	file := flag.String("file", "", "the file to upload")
	flag.Parse()
	ctx := context.Background()
	hc := &http.Client{Transport: kit.Transport()}
	start := time.Now()
	var err error
	switch *mode {
	case "sdk":
		err = sdk(ctx, *base, *file)
	case "multipart":
		err = kit.UploadMultipart(ctx, hc, *base, "", "a", "A", *file)
	case "sendfile":
		err = kit.UploadSendfile(ctx, hc, *base, *file)
	case "raw":
		err = kit.UploadRaw(ctx, *base, *file)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", time.Since(start).Seconds())
}

func sdk(ctx context.Context, base, file string) error {
	c, err := chatinc.NewClient(kit.APIKey, chatinc.WithBaseURL(base+"/v1"), chatinc.WithRetryMax(0))
	if err != nil {
		return err
	}
	_, err = c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "a", Name: "A", File: chatinc.FileFromPath(file)})
	return err
}
