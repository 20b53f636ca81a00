// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:217

package main

import (
	"log"
	"log/slog"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"),
		chatinc.WithBaseURL("http://chatinc-mock:8080/v1"),
		chatinc.WithInsecureCleartextForTesting(), // test networks only: the key travels in clear text
		chatinc.WithLogger(slog.Default()),        // NewClient logs a warning saying so
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = chat
}
