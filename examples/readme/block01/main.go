// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:48

package main

import (
	"context"
	"fmt"
	"log"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	if err := run(context.Background(), chat); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, chat *chatinc.Client) error {
	// 1. An audience.
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID:       "frequent-shoppers",
		Name:     "Frequent Shoppers",
		Contacts: []chatinc.Contact{{Number: "+15551230001"}, {Number: "+15551230002"}},
	}); err != nil {
		return fmt.Errorf("create audience: %w", err)
	}

	// 2. A variable group: the per-contact values of {users.first_name}.
	if _, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
		ID: "users", Name: "users", Fields: []string{"first_name"},
		Values: []chatinc.Row{
			{Number: "+15551230001", Values: map[string]string{"first_name": "Ada"}},
			{Number: "+15551230002", Values: map[string]string{"first_name": "Grace"}},
		},
	}); err != nil {
		return fmt.Errorf("create variable group: %w", err)
	}

	// 3. A campaign, created as a template (nothing is sent yet).
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Spring sale",
		Message: "Hi {users.first_name}, our spring sale starts today!",
		Buttons: []chatinc.Button{chatinc.URLButton("Shop now", "https://example.com/sale")},
	}, chatinc.CampaignOptions{})
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}

	// 4. Run it: this sends the messages.
	if _, err := chat.RunCampaign(ctx, chatinc.RunCampaignParams{
		CampaignID: created.CampaignID,
		Audiences:  []string{"frequent-shoppers"},
	}); err != nil {
		return fmt.Errorf("run campaign %s: %w", created.CampaignID, err)
	}

	// 5. Results.
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		return fmt.Errorf("retrieve campaigns: %w", err)
	}
	for _, c := range campaigns {
		fmt.Printf("%s: sent %d, delivered %.0f%%, read %.0f%%\n",
			c.Title, c.TotalSent, 100*c.DeliveryRate(), 100*c.ReadRate())
	}
	return nil
}
