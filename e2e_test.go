package chatinc_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

// These tests drive every SDK call against the simulator, through the real
// transport: what a user's integration test does.

func contacts(numbers ...string) []chatinc.Contact {
	out := make([]chatinc.Contact, len(numbers))
	for i, n := range numbers {
		out[i] = chatinc.Contact{Number: n}
	}
	return out
}

func numbersOf(cs []chatinc.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Number
	}
	return out
}

// TestE2EBroadcastFlow walks the documented sequence through every call.
func TestE2EBroadcastFlow(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()

	// Audiences: create, add (a set union), from a file, list, contacts.
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Description: "Best customers",
		Contacts: contacts("+15550000001", "+15550000002")})
	require.NoError(t, err)
	_, err = c.AddContactsToAudience(ctx, "vip", contacts("+15550000002", "+15550000003"))
	require.NoError(t, err)
	got, err := c.RetrieveAudienceContacts(ctx, "vip")
	require.NoError(t, err)
	assert.Equal(t, []string{"+15550000001", "+15550000002", "+15550000003"}, numbersOf(got))

	path := filepath.Join(t.TempDir(), "new.csv")
	require.NoError(t, os.WriteFile(path, []byte("number,first_name\n+15550000004,Ada\n+15550000005,Grace\n"), 0o600))
	_, err = c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "newcomers", Name: "Newcomers", File: chatinc.FileFromPath(path)})
	require.NoError(t, err)

	audiences, err := c.RetrieveAudiences(ctx)
	require.NoError(t, err)
	require.Len(t, audiences, 2)
	assert.Equal(t, chatinc.Audience{ID: "newcomers", Name: "Newcomers", ContactCount: 2}, audiences[0])
	assert.Equal(t, chatinc.Audience{ID: "vip", Name: "VIP", Description: "Best customers", ContactCount: 3}, audiences[1])

	// Variable groups: from JSON and from a file (which creates its audience).
	_, err = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users", Fields: []string{"first_name"},
		Values: []chatinc.Row{
			{Number: "+15550000001", Values: map[string]string{"first_name": "Linus"}},
			{Number: "+15550000002", Values: map[string]string{"first_name": "Margaret"}},
		}})
	require.NoError(t, err)
	_, err = c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "vouchers", Name: "vouchers",
		AudienceID: "voucher-holders",
		File:       chatinc.FileFromReader("vouchers.csv", strings.NewReader("number,code\n+15550000001,SPRING-1\n+15550000009,SPRING-9\n"))})
	require.NoError(t, err)
	groups, err := c.RetrieveVariableGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, []chatinc.VariableGroup{
		{ID: "users", Name: "users", Fields: []string{"first_name"}},
		{ID: "vouchers", Name: "vouchers", Fields: []string{"code"}},
	}, groups)
	holders, err := c.RetrieveAudienceContacts(ctx, "voucher-holders")
	require.NoError(t, err)
	assert.Equal(t, []string{"+15550000001", "+15550000009"}, numbersOf(holders))

	// A campaign created as a template, then run; another sent at once.
	created, err := c.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Spring",
		Message: "Hi {users.first_name}, your code is {vouchers.code}",
		ImgURL:  "https://example.com/spring.png",
		Buttons: []chatinc.Button{chatinc.URLButton("Shop", "https://example.com"), chatinc.PhoneButton("Call", "+15550009999")},
	}, chatinc.CampaignOptions{LanguageCode: "enUS", WhatsAppTemplateType: chatinc.TemplateMarketing})
	require.NoError(t, err)
	require.NotEmpty(t, created.CampaignID)
	run, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: created.CampaignID, Audiences: []string{"vip"}})
	require.NoError(t, err)
	assert.Equal(t, "success", run.Status)
	assert.NotEmpty(t, run.RunID)

	sentNow, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Hello all", Message: "Hello!",
		Buttons: []chatinc.Button{chatinc.InputButton("Hi", "hi"), chatinc.JourneyButton("More", "j-1")}},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{chatinc.AudienceAll}})
	require.NoError(t, err)

	// Results: totals agree with the per-contact details, JSON and CSV.
	campaigns, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	require.Len(t, campaigns, 2)
	spring := campaigns[0]
	assert.Equal(t, created.CampaignID, spring.CampaignID)
	assert.Equal(t, "APPROVED", spring.WhatsAppTemplatesStatus)
	assert.Equal(t, "en_US", spring.Locale)
	assert.Len(t, spring.Buttons, 2)
	assert.ElementsMatch(t, []string{"users.first_name", "vouchers.code"}, spring.Variables)
	require.Len(t, spring.Runs, 1)
	assert.Equal(t, 3, spring.Runs[0].Contacts)

	details, err := c.RetrieveCampaignDetails(ctx, created.CampaignID)
	require.NoError(t, err)
	require.Len(t, details, 3)
	counts := map[string]int{}
	for _, d := range details {
		counts[d.Action]++
	}
	assert.Equal(t, counts["read"], spring.TotalRead)
	assert.Equal(t, counts["read"]+counts["delivered"], spring.TotalDelivered)
	assert.Equal(t, counts["read"]+counts["delivered"]+counts["sent"]+counts["delivery_error"], spring.TotalSent)
	byNumber := map[string]chatinc.CampaignDetail{}
	for _, d := range details {
		byNumber[d.Number] = d
	}
	assert.Equal(t, "Hi Linus, your code is SPRING-1", byNumber["+15550000001"].Columns["message"])
	assert.Equal(t, "Hi Margaret, your code is ", byNumber["+15550000002"].Columns["message"])

	var buf bytes.Buffer
	n, err := c.RetrieveCampaignDetailsCSV(ctx, sentNow.CampaignID, &buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	records, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Len(t, records, 1+6, `"all" reaches every contact of every audience once`)

	// Nothing was sent twice.
	assert.Equal(t, 2, srv.RequestCount("/create/campaign"))
	assert.Equal(t, 1, srv.RequestCount("/run/campaign"))
}

// TestE2EErrors checks that the simulator's error answers reach the caller
// as typed errors carrying the server's message.
func TestE2EErrors(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550000001")})
	require.NoError(t, err)

	t.Run("wrong key is ErrUnauthorized", func(t *testing.T) {
		bad, err := chatinc.NewClient("sk_wrong", chatinc.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = bad.RetrieveAudiences(ctx)
		require.ErrorIs(t, err, chatinc.ErrUnauthorized)
		assert.NotContains(t, err.Error(), "sk_wrong")
		assert.NotContains(t, err.Error(), srv.APIKey)
	})

	notFound := []struct {
		name string
		call func() error
		msg  string
	}{
		{"add to unknown audience", func() error {
			_, err := c.AddContactsToAudience(ctx, "ghost", contacts("+15550000002"))
			return err
		}, `audience "ghost" not found`},
		{"contacts of unknown audience", func() error {
			_, err := c.RetrieveAudienceContacts(ctx, "ghost")
			return err
		}, `audience "ghost" not found`},
		{"run unknown campaign", func() error {
			_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "c_ghost", Audiences: []string{"vip"}})
			return err
		}, `campaign "c_ghost" not found`},
		{"details of unknown campaign", func() error {
			_, err := c.RetrieveCampaignDetails(ctx, "c_ghost")
			return err
		}, `campaign "c_ghost" not found`},
		{"CSV of unknown campaign", func() error {
			_, err := c.RetrieveCampaignDetailsCSV(ctx, "c_ghost", &bytes.Buffer{})
			return err
		}, `campaign "c_ghost" not found`},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, chatinc.ErrNotFound)
			var apiErr *chatinc.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Contains(t, apiErr.Message, tt.msg)
		})
	}

	badRequest := []struct {
		name string
		call func() error
		msg  string
	}{
		{"placeholder names an unknown group", func() error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "Hi {people.name}"}, chatinc.CampaignOptions{})
			return err
		}, `unknown variable group "people"`},
		{"run for an unknown audience", func() error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"},
				chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"ghost"}})
			return err
		}, `"ghost"`},
		{"CSV without a number column", func() error {
			// A reader that cannot seek is sent unchecked: the server refuses it.
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "x", Name: "X",
				File: chatinc.FileFromReader("x.csv", struct{ io.Reader }{strings.NewReader("phone\n+15550000001\n")})})
			return err
		}, `no "number" column`},
		{"CSV with a ragged row", func() error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "g", Name: "g", AudienceID: "a",
				File: chatinc.FileFromReader("g.csv", strings.NewReader("number,code\n+15550000001,A\n+15550000002\n"))})
			return err
		}, "line 3"},
	}
	for _, tt := range badRequest {
		t.Run(tt.name, func(t *testing.T) {
			var apiErr *chatinc.APIError
			require.ErrorAs(t, tt.call(), &apiErr)
			assert.Equal(t, 400, apiErr.StatusCode)
			assert.Contains(t, apiErr.Message, tt.msg)
		})
	}
}

// TestE2ERetriesAgainstInjectedFaults checks the retry rule end to end:
// a read recovers from a 503, a send is not repeated after one, and a send
// is repeated after a 503 with Retry-After.
func TestE2ERetriesAgainstInjectedFaults(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550000001")})
	require.NoError(t, err)

	srv.InjectFault("/retrieve/audiences", 2, chatinctest.Fault{Status: 503})
	audiences, err := c.RetrieveAudiences(ctx)
	require.NoError(t, err)
	assert.Len(t, audiences, 1)
	assert.Equal(t, 3, srv.RequestCount("/retrieve/audiences"))

	srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: 503})
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	var apiErr *chatinc.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, 1, srv.RequestCount("/create/campaign"), "a send is not repeated after a bare 503")

	srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: 503, RetryAfter: "0"})
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	require.NoError(t, err)
	assert.Equal(t, 3, srv.RequestCount("/create/campaign"), "a 503 with Retry-After means the server did not act")

	campaigns, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	assert.Len(t, campaigns, 1, "exactly one campaign exists")
}

// TestE2EConcurrentClients runs many goroutines through one client against
// one simulator; under -race this checks both for data races.
func TestE2EConcurrentClients(t *testing.T) {
	c, _ := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "all-workers", Name: "Workers"})
	require.NoError(t, err)

	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				number := fmt.Sprintf("+1555%03d%04d", w, i)
				if _, err := c.AddContactsToAudience(ctx, "all-workers", contacts(number)); err != nil {
					errs <- err
					return
				}
				if i%5 == 0 {
					if _, err := c.RetrieveAudiences(ctx); err != nil {
						errs <- err
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := c.RetrieveAudienceContacts(ctx, "all-workers")
	require.NoError(t, err)
	assert.Len(t, got, workers*each, "every contact added once, none lost")
}
