package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

// runCampaign sends p, or with dry makes its pre-flight checks only. It
// reads the campaign's runs first, so that a lost answer can be followed
// by the command that finds out whether the run went out.
func (a *app) runCampaign(cmd *cobra.Command, c *chatinc.Client, p chatinc.RunCampaignParams, dry bool) error {
	ctx := cmd.Context()
	before, err := c.FindCampaign(ctx, p.CampaignID)
	if err != nil {
		return err
	}
	runsBefore := len(before.Runs)
	if dry {
		return a.dryRunOK()
	}
	res, err := c.RunCampaign(ctx, p)
	if errors.Is(err, chatinc.ErrOutcomeUnknown) {
		return &unknownError{err: err, next: awaitRunCommand(p.CampaignID, runsBefore)}
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(resultJSON(res))
	}
	when := "now"
	if !p.TimeToRun.IsZero() {
		when = "at " + p.TimeToRun.Format(time.RFC3339)
	}
	fmt.Fprintf(a.stdout, "Campaign %s runs %s to %s (run %s).\n", p.CampaignID, when, strings.Join(p.Audiences, ", "), res.RunID)
	return nil
}
