// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:307

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
)

// runOnce sends a campaign run at most once. After an error whose outcome
// is unknown it finds out whether the run went out, and never sends again.
func runOnce(ctx context.Context, chat *chatinc.Client, p chatinc.RunCampaignParams) error {
	before, err := chat.FindCampaign(ctx, p.CampaignID)
	if err != nil {
		return err // nothing was sent
	}
	_, err = chat.RunCampaign(ctx, p)
	if !errors.Is(err, chatinc.ErrOutcomeUnknown) {
		return err // nil, or an error after which nothing went out
	}
	// The messages may have gone out. Look, with a context of its own.
	look, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, lerr := chat.AwaitRun(look, p.CampaignID, before.RunCount); lerr != nil {
		// Still unknown: a person must look before anything is sent again.
		return fmt.Errorf("campaign %s: %w", p.CampaignID, errors.Join(err, lerr))
	}
	return nil // it went out, once
}

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"), chatinc.WithPreflight())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// A template first: creating it sends nothing, and gives the ID.
	res, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Spring sale " + time.Now().Format("2006-01-02"),
		Message: "20% off today",
	}, chatinc.CampaignOptions{})
	if err != nil {
		log.Fatal(err) // unknown outcome here: a template may exist; nothing was sent
	}
	wait, cancel := context.WithTimeout(ctx, 24*time.Hour)
	defer cancel()
	if _, err := chat.AwaitApproval(wait, res.CampaignID); err != nil {
		log.Fatal(err) // ErrTemplateRejected, or not approved in time
	}
	err = runOnce(ctx, chat, chatinc.RunCampaignParams{CampaignID: res.CampaignID, Audiences: []string{"vip"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent once")
}
