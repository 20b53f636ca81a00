// Command upload is one contender of the upload benchmark: it sends one
// file to a sink and prints the seconds it took.
//
//	-mode sdk       CreateAudienceFromFile(FileFromPath(file)), the SDK's own transport
//	-mode sendfile  the file's bytes alone as a plain body (*os.File, exact
//	                Content-Length): what net/http hands to sendfile(2), the
//	                limit for the same bytes
//
// Usage: upload -mode sdk|sendfile -url http://127.0.0.1:PORT -file big.csv
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	mode := flag.String("mode", "sdk", "sdk or sendfile")
	base := flag.String("url", "", "the sink's URL")
	file := flag.String("file", "", "the file to upload")
	flag.Parse()
	start := time.Now()
	var err error
	switch *mode {
	case "sdk":
		err = sdk(*base, *file)
	case "sendfile":
		err = sendfile(*base, *file)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", time.Since(start).Seconds())
}

func sdk(base, file string) error {
	c, err := chatinc.NewClient("sk_bench_upload", chatinc.WithBaseURL(base+"/v1"), chatinc.WithRetryMax(0))
	if err != nil {
		return err
	}
	_, err = c.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{
		ID: "a", Name: "A", File: chatinc.FileFromPath(file)})
	return err
}

func sendfile(base, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/v1/create/audience/from/file", f)
	if err != nil {
		return err
	}
	req.ContentLength = info.Size()
	req.Header.Set("Authorization", "sk_bench_upload")
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
