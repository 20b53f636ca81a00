// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:835

package block11

import (
	"context"
	"errors"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestLostAnswer(t *testing.T) {
	srv := chatinctest.NewServer()
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
	srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: 502, ActFirst: true})
	_, err = chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "20% off today"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if !errors.Is(err, chatinc.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want an unknown outcome", err)
	}
	// The 502 came back, yet the campaign exists and has run.
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(campaigns) != 1 || len(campaigns[0].Runs) != 1 {
		t.Fatalf("campaigns = %+v, want one with one run", campaigns)
	}
}
