// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:1002

package main

import (
	"context"
	"log"
	"log/slog"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	debug := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"),
		chatinc.WithLogger(debug),
		chatinc.WithHooks(chatinc.Hooks{
			Attempt: func(_ context.Context, a chatinc.AttemptInfo) {
				// Count a.Call by a.StatusCode in your metrics; here, log the retries.
				if a.Retry {
					log.Printf("%s %s %s: attempt %d got %d (err %v) after %s; retrying in %s",
						a.Call, a.Method, a.Path, a.Attempt+1, a.StatusCode, a.Err, a.Duration, a.Wait)
				}
			},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := chat.RetrieveAudiences(context.Background()); err != nil {
		log.Fatal(err)
	}
}
