package chatinc_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// The package example: the documented sequence — audience, variable group,
// campaign, run, results — with every error checked.
func Example() {
	// The simulator, with a seed that draws each message's outcome; against
	// the real API: chatinc.NewClient(os.Getenv("CHATINC_API_KEY")).
	srv := chatinctest.NewServer(chatinctest.WithSeed(2))
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	if err := broadcast(context.Background(), chat); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Spring sale: 4 sent, 3 delivered, 1 read
	// +15550100001 sent "Hi Ada, the sale starts today!"
	// +15550100002 delivered "Hi Grace, the sale starts today!"
	// +15550100003 delivered "Hi Linus, the sale starts today!"
	// +15550100004 read "Hi Hedy, the sale starts today!"
}

func broadcast(ctx context.Context, chat *chatinc.Client) error {
	people := map[string]string{"+15550100001": "Ada", "+15550100002": "Grace", "+15550100003": "Linus", "+15550100004": "Hedy"}
	var contacts []chatinc.Contact
	var rows []chatinc.Row
	for _, number := range []string{"+15550100001", "+15550100002", "+15550100003", "+15550100004"} {
		contacts = append(contacts, chatinc.Contact{Number: number})
		rows = append(rows, chatinc.Row{Number: number, Values: map[string]string{"first_name": people[number]}})
	}
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{ID: "shoppers", Name: "Shoppers", Contacts: contacts}); err != nil {
		return fmt.Errorf("create audience: %w", err)
	}
	if _, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
		ID: "users", Name: "users", Fields: []string{"first_name"}, Values: rows,
	}); err != nil {
		return fmt.Errorf("create variable group: %w", err)
	}
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Spring sale",
		Message: "Hi {users.first_name}, the sale starts today!",
		Buttons: []chatinc.Button{chatinc.URLButton("Shop now", "https://example.com/sale")},
	}, chatinc.CampaignOptions{})
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	if _, err := chat.RunCampaign(ctx, chatinc.RunCampaignParams{
		CampaignID: created.CampaignID, Audiences: []string{"shoppers"},
	}); err != nil {
		return fmt.Errorf("run campaign: %w", err)
	}
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		return fmt.Errorf("retrieve campaigns: %w", err)
	}
	for _, c := range campaigns {
		fmt.Printf("%s: %d sent, %d delivered, %d read\n", c.Title, c.TotalSent, c.TotalDelivered, c.TotalRead)
	}
	details, err := chat.RetrieveCampaignDetails(ctx, created.CampaignID)
	if err != nil {
		return fmt.Errorf("retrieve campaign details: %w", err)
	}
	for _, d := range details {
		fmt.Printf("%s %s %q\n", d.Number, d.Action, d.Columns["message"])
	}
	return nil
}

// newRunCampaign starts a simulator with an audience of n contacts and one
// campaign run for it, for the examples of the reads.
func newRunCampaign(n int) (*chatinc.Client, string, func()) {
	chat, done := newExampleClient()
	return chat, runCampaignFor(chat, n), done
}

// runCampaignFor creates an audience of n contacts and sends a campaign to
// it, returning the campaign's ID.
func runCampaignFor(chat *chatinc.Client, n int) string {
	ctx := context.Background()
	contacts := make([]chatinc.Contact, n)
	for i := range contacts {
		contacts[i] = chatinc.Contact{Number: fmt.Sprintf("+1555010%04d", i+1)}
	}
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts}); err != nil {
		log.Fatal(err)
	}
	res, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Opening hours", Message: "We open at 9 tomorrow."},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	if err != nil {
		log.Fatal(err)
	}
	return res.CampaignID
}

func ExampleClient_AddContactsToAudience() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}},
	}); err != nil {
		log.Fatal(err)
	}
	// Adding a contact the audience has already is harmless.
	if _, err := chat.AddContactsToAudience(ctx, "vip", []chatinc.Contact{{Number: "+15550100001"}, {Number: "+15550100002"}}); err != nil {
		log.Fatal(err)
	}
	contacts, err := chat.RetrieveAudienceContacts(ctx, "vip")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range contacts {
		fmt.Println(c.Number)
	}
	// Output:
	// +15550100001
	// +15550100002
}

func ExampleClient_CreateAudienceFromFile() {
	chat, done := newExampleClient()
	defer done()

	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "shoppers.csv")
	if err := os.WriteFile(path, []byte("number\n+15550100001\n+15550100002\n+15550100003\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	_, err = chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{
		ID:   "shoppers",
		Name: "Shoppers",
		File: chatinc.FileFromPath(path), // streamed, and reopened if the upload is retried
	})
	if err != nil {
		log.Fatal(err)
	}
	contacts, err := chat.RetrieveAudienceContacts(ctx, "shoppers")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(contacts), "contacts")
	// Output: 3 contacts
}

func ExampleClient_RetrieveAudiences() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	for _, a := range []chatinc.AudienceParams{
		{ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100001"}}},
		{ID: "newsletter", Name: "Newsletter", Description: "Opted in to news"},
	} {
		if _, err := chat.CreateAudience(ctx, a); err != nil {
			log.Fatal(err)
		}
	}
	audiences, err := chat.RetrieveAudiences(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range audiences {
		fmt.Printf("%s (%s): %d contacts\n", a.ID, a.Name, a.ContactCount)
	}
	// Output:
	// newsletter (Newsletter): 0 contacts
	// vip (VIP): 1 contacts
}

func ExampleClient_RetrieveAudienceContacts() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15550100002"}, {Number: "+15550100001"}},
	}); err != nil {
		log.Fatal(err)
	}
	contacts, err := chat.RetrieveAudienceContacts(ctx, "vip")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(contacts), "contacts")

	_, err = chat.RetrieveAudienceContacts(ctx, "no-such-audience")
	fmt.Println(errors.Is(err, chatinc.ErrNotFound))
	// Output:
	// 2 contacts
	// true
}

func ExampleClient_CreateVariableGroup() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	// Fills {users.first_name} and {users.voucher} for each contact.
	_, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
		ID:          "users",
		Name:        "users",
		Description: "First names and vouchers",
		Fields:      []string{"first_name", "voucher"},
		Values: []chatinc.Row{
			{Number: "+15550100001", Values: map[string]string{"first_name": "Ada", "voucher": "SPRING-1"}},
			{Number: "+15550100002", Values: map[string]string{"first_name": "Grace", "voucher": "SPRING-2"}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	groups, err := chat.RetrieveVariableGroups(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(groups[0].Name, groups[0].Fields)
	// Output: users [first_name voucher]
}

func ExampleClient_RetrieveVariableGroups() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()

	for _, g := range []chatinc.VariableGroupParams{
		{ID: "users", Name: "users", Fields: []string{"first_name", "last_name"}},
		{ID: "orders", Name: "orders", Fields: []string{"last_order"}},
	} {
		if _, err := chat.CreateVariableGroup(ctx, g); err != nil {
			log.Fatal(err)
		}
	}
	groups, err := chat.RetrieveVariableGroups(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range groups {
		for _, f := range g.Fields {
			fmt.Printf("{%s.%s}\n", g.Name, f)
		}
	}
	// Output:
	// {orders.last_order}
	// {users.first_name}
	// {users.last_name}
}

func ExampleClient_RetrieveCampaigns() {
	chat, _, done := newRunCampaign(20)
	defer done()

	campaigns, err := chat.RetrieveCampaigns(context.Background(), chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range campaigns {
		fmt.Printf("%s: %d runs, %d sent, delivery rate %.0f%%, read rate %.0f%%\n",
			c.Title, len(c.Runs), c.TotalSent, 100*c.DeliveryRate(), 100*c.ReadRate())
		fmt.Printf("errors: %d send, %d delivery, %d not on WhatsApp\n",
			c.TotalSendErrors, c.TotalDeliveryErrors, c.TotalNotOnWhatsApp)
		for _, r := range c.Runs {
			fmt.Println("run:", r.Status, r.Contacts, "contacts")
		}
	}
	// Output:
	// Opening hours: 1 runs, 20 sent, delivery rate 85%, read rate 60%
	// errors: 0 send, 2 delivery, 0 not on WhatsApp
	// run: completed 20 contacts
}

func ExampleRetrieveCampaignsOptions() {
	chat, done := newExampleClient()
	defer done()

	// GET /retrieve/campaigns?active=true: campaigns with a run still to come.
	active, err := chat.RetrieveCampaigns(context.Background(), chatinc.RetrieveCampaignsOptions{Active: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(active), "active campaigns")
	// Output: 0 active campaigns
}

func ExampleClient_RetrieveCampaignDetails() {
	chat, campaignID, done := newRunCampaign(20)
	defer done()

	details, err := chat.RetrieveCampaignDetails(context.Background(), campaignID)
	if err != nil {
		log.Fatal(err)
	}
	counts := map[string]int{}
	for _, d := range details {
		counts[d.Action]++
	}
	for _, action := range []string{chatinc.ActionRead, chatinc.ActionDelivered, chatinc.ActionSent,
		chatinc.ActionDeliveryError, chatinc.ActionSendError, chatinc.ActionNotOnWhatsApp} {
		fmt.Printf("%-15s %d\n", action, counts[action])
	}
	// Output:
	// read            12
	// delivered       5
	// sent            1
	// delivery_error  2
	// send_error      0
	// not_on_whatsapp 0
}

func ExampleCampaignDetail_ColumnNames() {
	chat, campaignID, done := newRunCampaign(1)
	defer done()

	details, err := chat.RetrieveCampaignDetails(context.Background(), campaignID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(details[0].ColumnNames())
	// Output: [message runId timestamp]
}

func ExampleCampaign_DeliveryRate() {
	c := chatinc.Campaign{TotalSent: 200, TotalDelivered: 180, TotalRead: 90}
	fmt.Printf("delivered %.0f%%, read %.0f%%\n", 100*c.DeliveryRate(), 100*c.ReadRate())
	// Output: delivered 90%, read 45%
}

func ExampleCampaign_ReadRate() {
	var never chatinc.Campaign // nothing sent yet: the rates are 0, not NaN
	fmt.Println(never.ReadRate(), never.DeliveryRate())
	// Output: 0 0
}

func ExampleURLButton() {
	b := chatinc.URLButton("Pay now", "https://pay.example.com/i/8812")
	fmt.Printf("%+v\n", b)
	// Output: {Text:Pay now Type:url Input: JourneyID: PhoneNumber: URL:https://pay.example.com/i/8812}
}

func ExamplePhoneButton() {
	// Phone and URL buttons go together; not with input or journey buttons.
	buttons := []chatinc.Button{
		chatinc.PhoneButton("Call us", "+15550199999"),
		chatinc.URLButton("Visit site", "https://example.com"),
	}
	fmt.Println(buttons[0].Type, buttons[0].PhoneNumber)
	// Output: phone +15550199999
}

func ExampleInputButton() {
	// Pressing it sends "STOP" as the contact's reply.
	b := chatinc.InputButton("Unsubscribe", "STOP")
	fmt.Println(b.Type, b.Input)
	// Output: input STOP
}

func ExampleJourneyButton() {
	// Starts the journey built in the Chat Inc journey builder.
	b := chatinc.JourneyButton("Start", "myJourneyId")
	fmt.Println(b.Type, b.JourneyID)
	// Output: journey myJourneyId
}

func ExampleFileFromPath() {
	chat, done := newExampleClient()
	defer done()

	// A missing file is a *ValidationError that wraps the os error; nothing
	// is sent.
	_, err := chat.CreateVariableGroupFromFile(context.Background(), chatinc.VariableGroupFileParams{
		ID: "vouchers", Name: "vouchers", AudienceID: "spring", File: chatinc.FileFromPath("no-such-file.csv"),
	})
	var invalid *chatinc.ValidationError
	fmt.Println(errors.As(err, &invalid), invalid.Field, errors.Is(err, os.ErrNotExist))
	// Output: true file true
}

func ExampleFileFromReader() {
	chat, done := newExampleClient()
	defer done()

	// A strings.Reader can seek, so this upload is retried like a file; a
	// reader that cannot seek (a network stream) is sent once, never retried.
	csv := strings.NewReader("number\n+15550100001\n")
	f := chatinc.FileFromReader("shoppers.csv", csv)
	if _, err := chat.CreateAudienceFromFile(context.Background(), chatinc.AudienceFileParams{ID: "shoppers", Name: "Shoppers", File: f}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name())
	// Output: shoppers.csv
}

func ExampleWithBaseURL() {
	// The docs' second host, for the calls that must use it; the version
	// prefix is part of the base URL.
	broadcast, err := chatinc.NewClient("my-api-key", chatinc.WithBaseURL("https://api.broadcast.chatinc.com/v1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(broadcast)

	// Clear-text http is for loopback only.
	_, err = chatinc.NewClient("my-api-key", chatinc.WithBaseURL("http://api.chatinc.com/v1"))
	fmt.Println(err != nil)
	// Output:
	// chatinc.Client{BaseURL: "https://api.broadcast.chatinc.com/v1", APIKey: [redacted]}
	// true
}

func ExampleWithInsecureCleartextForTesting() {
	// A docker-compose test network, with the simulator at chatinc-mock:8080.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // for a stable example output
			}
			return a
		},
	}))
	_, err := chatinc.NewClient("sk_test_local",
		chatinc.WithBaseURL("http://chatinc-mock:8080/v1"),
		chatinc.WithInsecureCleartextForTesting(),
		chatinc.WithLogger(logger),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=WARN msg="chatinc: clear-text http to a host that is not loopback: the API key travels unencrypted (WithInsecureCleartextForTesting: test networks only)" host=chatinc-mock:8080
}

func ExampleWithHTTPClient() {
	// A proxy and a client certificate, say; the SDK's redirect rule still
	// applies on top of the client's own.
	hc := &http.Client{Transport: &http.Transport{
		Proxy:             http.ProxyFromEnvironment,
		TLSClientConfig:   &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
	chat, err := chatinc.NewClient("my-api-key", chatinc.WithHTTPClient(hc))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chat)
	// Output: chatinc.Client{BaseURL: "https://api.chatinc.com/v1", APIKey: [redacted]}
}

func ExampleWithRetryMax() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL),
		chatinc.WithRetryMax(3), // four attempts in all
		chatinc.WithRetryWait(time.Millisecond, 10*time.Millisecond),
	)
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault("/retrieve/audiences", 3, chatinctest.Fault{Status: 503})
	_, err = chat.RetrieveAudiences(context.Background())
	fmt.Println(err, srv.RequestCount("/retrieve/audiences"))
	// Output: <nil> 4
}

func ExampleWithRetryWait() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL),
		chatinc.WithRetryWait(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	// A send is retried after a 503 only when the server says when to come
	// back (Retry-After, honoured up to 60s whatever the bounds).
	srv.InjectFault("/run/campaign", 1, chatinctest.Fault{Status: 503})
	_, err = chat.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: "c1", Audiences: []string{chatinc.AudienceAll}})
	var apiErr *chatinc.APIError
	fmt.Println(errors.As(err, &apiErr), apiErr.StatusCode, srv.RequestCount("/run/campaign"))
	// Output: true 503 1
}

func ExampleWithUserAgent() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithUserAgent("shop-backend/1.4"))
	if err != nil {
		log.Fatal(err)
	}
	// Every request now says: chatinc-go/<version> (go<version>) shop-backend/1.4
	if _, err := chat.RetrieveAudiences(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(chatinc.Version)
	// Output: 0.2.0
}

func ExampleWithLogger() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "wait" {
				return slog.Attr{} // for a stable example output
			}
			return a
		},
	}))
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithLogger(logger),
		chatinc.WithRetryWait(time.Millisecond, time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Status: 502})
	if _, err := chat.RetrieveAudiences(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="chatinc: attempt" call=RetrieveAudiences method=GET path=/retrieve/audiences class=read attempt=1 status=502 retry=true
	// level=INFO msg="chatinc: retrying" call=RetrieveAudiences method=GET path=/retrieve/audiences class=read attempt=1 reason="502 Bad Gateway"
	// level=DEBUG msg="chatinc: attempt" call=RetrieveAudiences method=GET path=/retrieve/audiences class=read attempt=2 status=200 retry=false
}

func ExampleWithAttemptTimeout() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL),
		chatinc.WithAttemptTimeout(50*time.Millisecond),
		chatinc.WithRetryWait(time.Millisecond, time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	// The first answer is slow: that attempt times out and the read is
	// retried. The call as a whole is bounded by its context.
	srv.InjectFault("/retrieve/audiences", 1, chatinctest.Fault{Delay: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = chat.RetrieveAudiences(ctx)
	fmt.Println(err, srv.RequestCount("/retrieve/audiences"))
	// Output: <nil> 2
}

func ExampleWithMaxResponseBytes() {
	srv := chatinctest.NewServer()
	defer srv.Close()
	// A cap far below what a list of 50 contacts takes, to show the error.
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL), chatinc.WithMaxResponseBytes(1024))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	campaignID := runCampaignFor(chat, 50) // audience "vip", 50 contacts

	_, err = chat.RetrieveAudienceContacts(ctx, "vip")
	fmt.Println(errors.Is(err, chatinc.ErrResponseTooLarge))
	// RetrieveCampaignDetails holds every row: capped like a list.
	_, err = chat.RetrieveCampaignDetails(ctx, campaignID)
	fmt.Println(errors.Is(err, chatinc.ErrResponseTooLarge))
	// CampaignDetails decodes one row at a time: only a row is capped.
	rows := 0
	for _, err := range chat.CampaignDetails(ctx, campaignID) {
		if err != nil {
			log.Fatal(err)
		}
		rows++
	}
	fmt.Println(rows)
	// The CSV export streams to a writer: not capped.
	n, err := chat.RetrieveCampaignDetailsCSV(ctx, campaignID, io.Discard)
	fmt.Println(n > 1024, err)
	// Output:
	// true
	// true
	// 50
	// true <nil>
}
