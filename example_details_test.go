package chatinc_test

import (
	"context"
	"fmt"
	"log"

	chatinc "github.com/chatinc/chatinc-go"
)

func ExampleClient_CampaignDetails() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	_, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}, {Number: "+15550100002"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title: "Opening hours", Message: "We open at 9 tomorrow.",
	}, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if err != nil {
		log.Fatal(err)
	}

	// Rows are decoded one at a time as the answer streams: memory does not
	// grow with the campaign's size. Breaking out of the loop closes the
	// response; an error is the last pair.
	byAction := map[string]int{}
	for row, err := range chat.CampaignDetails(ctx, created.CampaignID) {
		if err != nil {
			log.Fatal(err)
		}
		byAction[row.Action]++
	}
	total := 0
	for _, n := range byAction {
		total += n
	}
	fmt.Println(total, "results")
	// Output: 2 results
}
