// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:746

package block09

import (
	"context"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestSpringSale(t *testing.T) {
	srv := chatinctest.NewServer(chatinctest.WithStrict()) // unknown JSON fields are a 400
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}},
	}); err != nil {
		t.Fatal(err)
	}
	res, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Sale today!"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	details, err := chat.RetrieveCampaignDetails(ctx, res.CampaignID)
	if err != nil {
		t.Fatal(err)
	}
	if len(details) != 1 || details[0].Number != "+15550100001" {
		t.Errorf("details = %+v, want one row for +15550100001", details)
	}
	if n := srv.RequestCount("/create/campaign"); n != 1 {
		t.Errorf("campaign created %d times, want once", n)
	}
}
