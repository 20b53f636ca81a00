package chatinc_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// newExampleClient starts a simulator and returns a client for it, so the
// examples run with no account. Against the real API you would write
// chatinc.NewClient(os.Getenv("CHATINC_API_KEY")).
func newExampleClient() (*chatinc.Client, func()) {
	srv := chatinctest.NewServer()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return chat, srv.Close
}

func ExampleNewClient() {
	chat, err := chatinc.NewClient("my-api-key",
		chatinc.WithRetryMax(3),
		chatinc.WithUserAgent("shop-backend/1.4"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chat) // the key is never printed
	// Output: chatinc.Client{BaseURL: "https://api.chatinc.com/v1", APIKey: [redacted]}
}

func ExampleClient_CreateAudience() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	_, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID:       "frequent-shoppers",
		Name:     "Frequent Shoppers",
		Contacts: []chatinc.Contact{{Number: "+15550100001"}, {Number: "+15550100002"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.AddContactsToAudience(ctx, "frequent-shoppers", []chatinc.Contact{{Number: "+15550100003"}})
	if err != nil {
		log.Fatal(err)
	}
	contacts, err := chat.RetrieveAudienceContacts(ctx, "frequent-shoppers")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(contacts), "contacts")
	// Output: 3 contacts
}

func ExampleClient_CreateCampaign() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	_, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
		ID: "users", Name: "users", Fields: []string{"first_name"},
		Values: []chatinc.Row{{Number: "+15550100001", Values: map[string]string{"first_name": "Ada"}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Spring sale",
		Message: "Hi {users.first_name}, the spring sale starts today!",
		Buttons: []chatinc.Button{
			chatinc.JourneyButton("Show me", "spring-journey"),
			chatinc.InputButton("Not now", "not now"),
		},
	}, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.CampaignID != "")
	// Output: success true
}

func ExampleClient_RunCampaign() {
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
	}, chatinc.CampaignOptions{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.RunCampaign(ctx, chatinc.RunCampaignParams{
		CampaignID: created.CampaignID,
		Audiences:  []string{chatinc.AudienceAll},
	})
	if err != nil {
		log.Fatal(err)
	}
	details, err := chat.RetrieveCampaignDetails(ctx, created.CampaignID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(details), "results")
	// Output: 2 results
}

func ExampleClient_CreateVariableGroupFromFile() {
	chat, done := newExampleClient()
	defer done()

	csv := "number,first_name,voucher\n+15550100001,Ada,SPRING-1\n+15550100002,Grace,SPRING-2\n"
	res, err := chat.CreateVariableGroupFromFile(context.Background(), chatinc.VariableGroupFileParams{
		ID:         "vouchers",
		Name:       "vouchers",
		AudienceID: "spring",
		File:       chatinc.FileFromReader("vouchers.csv", strings.NewReader(csv)), // or FileFromPath("vouchers.csv")
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)
	// Output: success
}

func ExampleClient_RetrieveCampaignDetailsCSV() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	_, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Hello", Message: "Hello!"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if err != nil {
		log.Fatal(err)
	}
	var sb strings.Builder // an *os.File in real use: the export streams
	if _, err := chat.RetrieveCampaignDetailsCSV(ctx, res.CampaignID, &sb); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.SplitN(sb.String(), "\n", 2)[0])
	// Output: number,action,runId,message,timestamp
}

func ExampleAPIError() {
	chat, done := newExampleClient()
	defer done()

	_, err := chat.RunCampaign(context.Background(), chatinc.RunCampaignParams{
		CampaignID: "no-such-campaign", Audiences: []string{chatinc.AudienceAll},
	})
	var apiErr *chatinc.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, errors.Is(err, chatinc.ErrNotFound))
	}
	// Output: 404 true
}

func ExampleValidationError() {
	chat, err := chatinc.NewClient("my-api-key")
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.CreateCampaign(context.Background(), chatinc.CampaignParams{
		Title:   "Spring sale",
		Message: "Hello!",
		Buttons: []chatinc.Button{chatinc.URLButton("Shop", "example.com/sale")},
	}, chatinc.CampaignOptions{})
	var invalid *chatinc.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println(invalid.Field) // nothing was sent
	}
	// Output: buttons[0].url
}

// ExampleClient_AwaitRun is the recipe after a send whose outcome is
// unknown: find out, with a context of its own, and never send again.
func ExampleClient_AwaitRun() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithPreflight())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_, err = chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Spring sale", Message: "20% off today"},
		chatinc.CampaignOptions{})
	if err != nil {
		log.Fatal(err)
	}
	// The API runs the campaign, and a gateway answers 502.
	srv.InjectFault("/run/campaign", 1, chatinctest.Fault{Status: http.StatusBadGateway, ActFirst: true})

	run := chatinc.RunCampaignParams{CampaignID: created.CampaignID, Audiences: []string{"vip"}}
	before, err := chat.FindCampaign(ctx, run.CampaignID)
	if err != nil {
		log.Fatal(err)
	}
	_, err = chat.RunCampaign(ctx, run)
	if errors.Is(err, chatinc.ErrOutcomeUnknown) {
		var apiErr *chatinc.APIError
		if errors.As(err, &apiErr) {
			fmt.Println("outcome unknown after a", apiErr.StatusCode)
		}
		// The messages may have gone out: look, never resend.
		look, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		after, lerr := chat.AwaitRun(look, run.CampaignID, before.RunCount)
		if lerr != nil {
			log.Fatal(errors.Join(err, lerr)) // still unknown: a person must look
		}
		fmt.Println("the run went out:", after.RunCount, "run")
		err = nil
	}
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// outcome unknown after a 502
	// the run went out: 1 run
}

func ExampleClient_FindCampaign() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Opening hours", Message: "We open at 9."},
		chatinc.CampaignOptions{})
	if err != nil {
		log.Fatal(err)
	}
	campaign, err := chat.FindCampaign(ctx, created.CampaignID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(campaign.Title, len(campaign.Runs))
	_, err = chat.FindCampaign(ctx, "no-such-campaign")
	fmt.Println(errors.Is(err, chatinc.ErrNotFound))
	// Output:
	// Opening hours 0
	// true
}

// A Client made without WithHTTPClient shares one connection pool with every
// other such Client, so discarding one leaks nothing. CloseIdleConnections
// closes the pool's idle connections, for instance before a process goes
// idle for a long time; calls made afterwards open new ones.
func ExampleClient_CloseIdleConnections() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	if _, err := chat.RetrieveAudiences(ctx); err != nil {
		log.Fatal(err)
	}
	chat.CloseIdleConnections()
	audiences, err := chat.RetrieveAudiences(ctx) // a new connection
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(audiences), "audiences")
	// Output: 0 audiences
}
