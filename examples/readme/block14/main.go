// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:1077

package main

import (
	"context"
	"errors"
	"log"
	"os"
	"sync"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	// 10 calls a second, in bursts of up to 5, for all the goroutines below.
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"), chatinc.WithRateLimit(10, 5))
	if err != nil {
		log.Fatal(err)
	}
	audiences := []string{"vip", "newsletter", "spring-sale", "returning"}
	errs := make([]error, len(audiences))
	var wg sync.WaitGroup
	for i, id := range audiences {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			contacts, err := chat.RetrieveAudienceContacts(ctx, id)
			if err != nil {
				errs[i] = err // context.DeadlineExceeded at once if the wait would outlast ctx
				return
			}
			log.Printf("%s: %d contacts", id, len(contacts))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		log.Fatal(err)
	}
}
