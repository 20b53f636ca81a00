// This file is a Go code block of README.md, copied by
// go generate ./internal/readmecode: edit README.md, not this file.

// README.md:295

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
// is unknown it looks at the campaign's runs: if a new one is there, the
// run went out; if not, it sends again, a bounded number of times.
func runOnce(ctx context.Context, chat *chatinc.Client, p chatinc.RunCampaignParams) error {
	before, err := chat.FindCampaign(ctx, p.CampaignID)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		_, err := chat.RunCampaign(ctx, p)
		if !errors.Is(err, chatinc.ErrOutcomeUnknown) {
			return err // nil, or an error after which nothing went out
		}
		// The API may have acted. Give it a moment, then look.
		time.Sleep(5 * time.Second)
		after, ferr := chat.FindCampaign(ctx, p.CampaignID)
		if ferr != nil {
			return errors.Join(err, ferr) // still unknown: do not send blindly
		}
		if len(after.Runs) > len(before.Runs) {
			return nil // it went out
		}
		if attempt == 3 {
			return err
		}
	}
}

// findByTitle returns the campaign titled title, or nil: after a
// CreateCampaign whose outcome is unknown, it tells whether the campaign
// was created (give each campaign a title of its own, e.g. with the date).
func findByTitle(ctx context.Context, chat *chatinc.Client, title string) (*chatinc.Campaign, error) {
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		return nil, err
	}
	for i := range campaigns {
		if campaigns[i].Title == title {
			return &campaigns[i], nil
		}
	}
	return nil, nil
}

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	err = runOnce(context.Background(), chat, chatinc.RunCampaignParams{
		CampaignID: os.Args[1],
		Audiences:  []string{"vip"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent once")

	title := "Spring sale " + time.Now().Format("2006-01-02")
	_, err = chat.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: title, Message: "20% off today"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if errors.Is(err, chatinc.ErrOutcomeUnknown) {
		if c, ferr := findByTitle(context.Background(), chat, title); ferr == nil && c != nil {
			err = nil // it was created (and, with RunImmediately, sent): do not create it again
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}
