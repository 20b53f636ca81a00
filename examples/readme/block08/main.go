// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:671

package main

import (
	"context"
	"errors"
	"log"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	ctx := context.Background()
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.RunCampaign(ctx, chatinc.RunCampaignParams{
		CampaignID: "spring-sale", Audiences: []string{chatinc.AudienceAll},
	})
	var apiErr *chatinc.APIError
	var invalid *chatinc.ValidationError
	switch {
	case err == nil:
		log.Print("sent")
	case errors.As(err, &invalid):
		// Bad input, nothing was sent: invalid.Field names it ("audiences", "buttons[1].url").
		log.Fatalf("fix %s: %s", invalid.Field, invalid.Reason)
	case errors.Is(err, chatinc.ErrUnauthorized): // 401 or 403
		log.Fatal("check CHATINC_API_KEY")
	case errors.Is(err, chatinc.ErrNotFound): // 404
		log.Fatal("no such campaign")
	case errors.Is(err, chatinc.ErrOutcomeUnknown):
		// A 5xx, a dropped connection, a timeout after the request went out:
		// the run may have happened. Look before sending again.
		log.Fatalf("outcome unknown (%v): check FindCampaign before running it again", err)
	case errors.Is(err, chatinc.ErrRateLimited) && errors.As(err, &apiErr): // 429
		log.Fatalf("rate limited; retry after %s", apiErr.RetryAfter)
	case errors.As(err, &apiErr):
		log.Fatalf("API said %d: %s", apiErr.StatusCode, apiErr.Message)
	case errors.Is(err, context.DeadlineExceeded):
		log.Fatal("timed out before the request went out: nothing was sent")
	default:
		log.Fatal(err)
	}
}
