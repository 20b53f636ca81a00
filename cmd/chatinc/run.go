package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

// runCampaign sends p through c, a client made WithPreflight (CheckRun
// before the send), or with dry makes CheckRun's checks only. It reads the
// campaign's RunCount first, so that a lost answer can be followed by the
// command that finds out whether the run went out; an answer without a
// runs array, which could not be found out, sends nothing.
func (a *app) runCampaign(cmd *cobra.Command, c *chatinc.Client, p chatinc.RunCampaignParams, dry bool) error {
	ctx := cmd.Context()
	if dry {
		return a.dryRunDone(a.checked(c.CheckRun(ctx, p)))
	}
	before, err := c.FindCampaign(ctx, p.CampaignID)
	if errors.Is(err, chatinc.ErrNotFound) {
		// CheckRun says so as a problem of the input, with a suggestion.
		if cerr := a.checked(c.CheckRun(ctx, p)); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return err
	}
	if before.RunCount < 0 {
		return fmt.Errorf("campaign %s: the API's answer has no runs array, so a lost answer could not be found out: not sent", p.CampaignID)
	}
	res, err := c.RunCampaign(ctx, p)
	if errors.Is(err, chatinc.ErrOutcomeUnknown) {
		return &unknownError{err: err, next: awaitRunCommand(p.CampaignID, before.RunCount)}
	}
	if err != nil {
		return a.checked(err)
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
