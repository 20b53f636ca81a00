// Command quickstart walks the documented Chat Inc sequence: create an
// audience, a variable group, and a campaign with buttons and placeholders,
// run it, and print its results with delivery and read rates.
//
//	go run ./examples/quickstart
//
// With no CHATINC_API_KEY it runs on the built-in simulator; with one, it
// uses the real API and sends real WhatsApp messages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func main() {
	chat, done, err := setup.Client(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, chat, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		done()
		os.Exit(1)
	}
}

// people are the quickstart's contacts and their variables.
var people = []struct{ number, firstName, city string }{
	{"+15550100001", "Ada", "London"},
	{"+15550100002", "Grace", "New York"},
	{"+15550100003", "Linus", "Helsinki"},
	{"+15550100004", "Margaret", "Boston"},
	{"+15550100005", "Alan", "Manchester"},
	{"+15550100006", "Barbara", "Chicago"},
	{"+15550100007", "Ken", "Berkeley"},
	{"+15550100008", "Radia", "Santa Fe"},
	{"+15550100009", "Edsger", "Austin"},
	{"+15550100010", "Frances", "Armonk"},
	{"+15550100011", "Donald", "Stanford"},
	{"+15550100012", "Hedy", "Vienna"},
}

// run is the quickstart's flow, written to out.
func run(ctx context.Context, chat *chatinc.Client, out io.Writer) error {
	const audienceID = "quickstart-shoppers"

	// 1. The audience.
	contacts := make([]chatinc.Contact, len(people))
	rows := make([]chatinc.Row, len(people))
	for i, p := range people {
		contacts[i] = chatinc.Contact{Number: p.number}
		rows[i] = chatinc.Row{Number: p.number, Values: map[string]string{"first_name": p.firstName, "city": p.city}}
	}
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{
		ID: audienceID, Name: "Quickstart shoppers", Description: "Contacts of the quickstart example",
		Contacts: contacts,
	}); err != nil {
		return fmt.Errorf("create audience: %w", err)
	}
	fmt.Fprintf(out, "created audience %q with %d contacts\n", audienceID, len(contacts))

	// 2. The variable group behind {users.first_name} and {users.city}.
	if _, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{
		ID: "users", Name: "users", Description: "First names and cities",
		Fields: []string{"first_name", "city"}, Values: rows,
	}); err != nil {
		return fmt.Errorf("create variable group: %w", err)
	}
	fmt.Fprintln(out, `created variable group "users" with fields first_name, city`)

	// 3. The campaign, as a template to run next.
	created, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title:   "Quickstart spring sale",
		Message: "Hi {users.first_name}! Our spring sale reaches {users.city} today.",
		Buttons: []chatinc.Button{
			chatinc.URLButton("Shop the sale", "https://example.com/spring"),
			chatinc.PhoneButton("Call us", "+15550199999"),
		},
	}, chatinc.CampaignOptions{LanguageCode: "enUS", WhatsAppTemplateType: chatinc.TemplateMarketing})
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	fmt.Fprintf(out, "created campaign %s\n", created.CampaignID)

	// 4. Wait for WhatsApp to approve the template, then run it once. The
	// client is made WithPreflight, so RunCampaign first checks the
	// campaign, its message and the audience, and sends nothing if one is
	// wrong.
	if _, err := chat.AwaitApproval(ctx, created.CampaignID); err != nil {
		return fmt.Errorf("await approval: %w", err)
	}
	if err := runOnce(ctx, chat, chatinc.RunCampaignParams{
		CampaignID: created.CampaignID, Audiences: []string{audienceID},
	}); err != nil {
		return fmt.Errorf("run campaign: %w", err)
	}
	fmt.Fprintf(out, "ran campaign %s for audience %q\n\n", created.CampaignID, audienceID)

	// 5. The results.
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		return fmt.Errorf("retrieve campaigns: %w", err)
	}
	var campaign *chatinc.Campaign
	for i := range campaigns {
		if campaigns[i].CampaignID == created.CampaignID {
			campaign = &campaigns[i]
		}
	}
	if campaign == nil {
		return fmt.Errorf("campaign %s is not among the %d retrieved", created.CampaignID, len(campaigns))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CAMPAIGN\tSENT\tDELIVERED\tREAD\tDELIVERY RATE\tREAD RATE")
	fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f%%\t%.1f%%\n", campaign.Title, campaign.TotalSent,
		campaign.TotalDelivered, campaign.TotalRead, 100*campaign.DeliveryRate(), 100*campaign.ReadRate())
	if err := tw.Flush(); err != nil {
		return err
	}

	details, err := chat.RetrieveCampaignDetails(ctx, created.CampaignID)
	if err != nil {
		return fmt.Errorf("retrieve campaign details: %w", err)
	}
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tRESULT\tMESSAGE")
	for _, d := range details {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Number, d.Action, d.Columns["message"])
	}
	return tw.Flush()
}

// runOnce sends a run of the campaign at most once: when the outcome of
// RunCampaign is unknown (the messages may have gone out), it finds out
// with AwaitRun, in a context of its own, and never sends again.
func runOnce(ctx context.Context, chat *chatinc.Client, p chatinc.RunCampaignParams) error {
	before, err := chat.FindCampaign(ctx, p.CampaignID)
	if err != nil {
		return err
	}
	_, err = chat.RunCampaign(ctx, p)
	if !errors.Is(err, chatinc.ErrOutcomeUnknown) {
		return err
	}
	look, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, lerr := chat.AwaitRun(look, p.CampaignID, before.RunCount); lerr != nil {
		return errors.Join(err, lerr) // still unknown: do not send again without looking
	}
	return nil
}
