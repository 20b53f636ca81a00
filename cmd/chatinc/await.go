package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

// defaultAwait is how long await-run and await-approval wait by default.
const (
	defaultAwaitRun      = 2 * time.Minute
	defaultAwaitApproval = 30 * time.Minute
)

func (a *app) campaignsAwaitRunCmd() *cobra.Command {
	var runsBefore int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "await-run CAMPAIGN_ID --runs-before N",
		Short: "Find out whether a run went out, after its outcome was unknown (reads only)",
		Long: `Await-run finds out whether a run of a campaign went out, after
'chatinc campaigns run' ended with exit status 3 and printed this command.
N is the campaign's count of runs from before that run (the printed command
has it). It reads the campaign at once, then after 1 s, doubling to 10 s
between reads, until the campaign has more than N runs, or --timeout has
passed. It never sends anything.

Exit status: 0 the run went out (once: do not run it again for that
reason); 3 still unknown when --timeout passed (do not send again without
looking at 'chatinc campaigns find'); 2 the API or the network failed.`,
		Example: `  chatinc campaigns await-run cmp_123 --runs-before 2
  chatinc campaigns await-run cmp_123 --runs-before 0 --timeout 5m --json`,
		Args: exactArgs(1, "CAMPAIGN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runsBefore < 0 {
				return usagef(cmd, "--runs-before %d: a count of runs is 0 or more", runsBefore)
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			cp, err := c.AwaitRun(ctx, args[0], runsBefore)
			if err != nil {
				if errors.Is(err, chatinc.ErrOutcomeUnknown) {
					return &unknownError{err: fmt.Errorf("after %s: %w", timeout, err), next: "chatinc campaigns find " + shellQuote(args[0])}
				}
				return err
			}
			if a.json {
				return a.printJSON(campaignJSON(cp))
			}
			fmt.Fprintf(a.stdout, "The run went out: campaign %s has %d %s (%d before). Do not run it again for this.\n",
				cp.CampaignID, cp.RunCount, plural(cp.RunCount, "run", "runs"), runsBefore)
			return nil
		},
	}
	cmd.Flags().IntVar(&runsBefore, "runs-before", 0, "the campaign's count of runs before the run whose outcome is unknown (required)")
	cmd.Flags().DurationVar(&timeout, "timeout", defaultAwaitRun, "how long to keep looking")
	_ = cmd.MarkFlagRequired("runs-before")
	return cmd
}

func (a *app) campaignsAwaitApprovalCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "await-approval CAMPAIGN_ID",
		Short: "Wait until WhatsApp approves a campaign's template (reads only)",
		Long: `Await-approval waits until WhatsApp has reviewed the template of a campaign
created without --run-now: it reads the campaign at once, then after 1 s,
doubling to 10 s between reads, until its template is APPROVED or
REJECTED, or --timeout has passed. It never sends anything. Run the
campaign ('chatinc campaigns run') once it is approved.

Exit status: 0 approved; 1 rejected (create the campaign again with another
message); 2 not reviewed within --timeout, or the API or the network failed.`,
		Example: `  chatinc campaigns await-approval cmp_123 && chatinc campaigns run cmp_123 --audience shoppers
  chatinc campaigns await-approval cmp_123 --timeout 2h`,
		Args: exactArgs(1, "CAMPAIGN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			cp, err := c.AwaitApproval(ctx, args[0])
			switch {
			case errors.Is(err, context.DeadlineExceeded) && cmd.Context().Err() == nil:
				return fmt.Errorf("campaign %s: its template was not reviewed within %s: %w", args[0], timeout, err)
			case err != nil:
				return err
			}
			if a.json {
				return a.printJSON(campaignJSON(cp))
			}
			fmt.Fprintf(a.stdout, "Campaign %s's template is %s. Send it with:\n\n    chatinc campaigns run %s --audience AUDIENCE_ID\n",
				cp.CampaignID, cp.WhatsAppTemplatesStatus, shellQuote(cp.CampaignID))
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", defaultAwaitApproval, "how long to wait for the review")
	return cmd
}

// runCount writes a campaign's RunCount, "unknown" when its answer had no
// runs array.
func runCount(cp *chatinc.Campaign) string {
	if cp.RunCount < 0 {
		return "unknown"
	}
	return strconv.Itoa(cp.RunCount)
}
