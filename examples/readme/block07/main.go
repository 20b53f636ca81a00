// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:593

package main

import (
	"context"
	"errors"
	"log"
	"os"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// From stdin (producer | app): never retried, since it cannot be re-read.
	_, err = chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{
		ID: "imported", Name: "Imported", File: chatinc.FileFromReader("rows.csv", os.Stdin),
	})
	if errors.Is(err, context.DeadlineExceeded) {
		log.Fatal("stdin stalled or the upload was too slow: nothing more is read from it")
	}
	if err != nil {
		log.Fatal(err)
	}

	// From a path: reopened for each attempt, so it can be retried.
	_, err = chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{
		ID: "vip", Name: "VIP", File: chatinc.FileFromPath("export/vip.csv"),
	})
	if errors.Is(err, chatinc.ErrFileChanged) {
		log.Fatal("the file changed while it was sent: wait for its writer to finish, then call again")
	}
	if err != nil {
		log.Fatal(err)
	}
}
