// Command campaign-results lists the account's campaigns with their delivery
// and read rates, and exports one campaign's per-contact results as CSV. The
// export streams from the API to the file.
//
//	go run ./examples/campaign-results [-campaign ID] [-o results.csv]
//
// Without -campaign it exports the last campaign listed; without -o it
// writes the CSV to stdout. With no CHATINC_API_KEY it runs on the built-in
// simulator, where it first sends a demo campaign so there is something to
// report.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func main() {
	campaignID := flag.String("campaign", "", "campaign to export (default: the last one listed)")
	outPath := flag.String("o", "", "file to write the CSV to (default: stdout)")
	flag.Parse()
	chat, done, err := setup.Client(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "campaign-results:", err)
		os.Exit(1)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	if os.Getenv("CHATINC_API_KEY") == "" {
		if err := sendDemoCampaign(ctx, chat); err != nil {
			fmt.Fprintln(os.Stderr, "campaign-results:", err)
			os.Exit(1)
		}
	}
	csvOut := io.Writer(os.Stdout)
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "campaign-results:", err)
			os.Exit(1)
		}
		defer f.Close()
		csvOut = f
	}
	if err := run(ctx, chat, *campaignID, os.Stderr, csvOut); err != nil {
		fmt.Fprintln(os.Stderr, "campaign-results:", err)
		os.Exit(1)
	}
}

// sendDemoCampaign gives an empty simulator one campaign to report on.
func sendDemoCampaign(ctx context.Context, chat *chatinc.Client) error {
	contacts := make([]chatinc.Contact, 40)
	for i := range contacts {
		contacts[i] = chatinc.Contact{Number: fmt.Sprintf("+1555020%04d", i)}
	}
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{ID: "demo", Name: "Demo", Contacts: contacts}); err != nil {
		return fmt.Errorf("create audience: %w", err)
	}
	_, err := chat.CreateCampaign(ctx, chatinc.CampaignParams{
		Title: "Demo campaign", Message: "Our store opens at 9 tomorrow.",
		Buttons: []chatinc.Button{chatinc.InputButton("Remind me", "remind")},
	}, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"demo"}})
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	return nil
}

// run prints the campaigns table to report and streams the CSV of
// campaignID (or of the last campaign) to csvOut.
func run(ctx context.Context, chat *chatinc.Client, campaignID string, report, csvOut io.Writer) error {
	campaigns, err := chat.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	if err != nil {
		return fmt.Errorf("retrieve campaigns: %w", err)
	}
	if len(campaigns) == 0 {
		return errors.New("the account has no campaigns")
	}
	tw := tabwriter.NewWriter(report, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSENT\tDELIVERED\tREAD\tDELIVERY RATE\tREAD RATE")
	for _, c := range campaigns {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.1f%%\t%.1f%%\n", c.CampaignID, c.Title, c.TotalSent,
			c.TotalDelivered, c.TotalRead, 100*c.DeliveryRate(), 100*c.ReadRate())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if campaignID == "" {
		campaignID = campaigns[len(campaigns)-1].CampaignID
	}
	n, err := chat.RetrieveCampaignDetailsCSV(ctx, campaignID, csvOut)
	if err != nil {
		return fmt.Errorf("export campaign %s: %w", campaignID, err)
	}
	fmt.Fprintf(report, "\nexported the results of campaign %s as CSV (%d bytes)\n", campaignID, n)
	return nil
}
