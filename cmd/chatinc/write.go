package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

// addDryRun adds --dry-run to a command that writes.
func addDryRun(cmd *cobra.Command, dry *bool) {
	cmd.Flags().BoolVar(dry, "dry-run", false, "make the checks only; send nothing")
}

// errDryRun is the answer of the dry-run transport to every request.
var errDryRun = errors.New("dry run: not sent")

// refuseTransport sends nothing: every request fails with errDryRun.
type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return nil, errDryRun
}

// clientFor returns the client of a write: with dry, one whose transport
// refuses every request, so that a call makes every check the SDK makes
// before sending (fields, numbers, a file's header) and then stops, with
// nothing sent. A dry run needs no API key.
func (a *app) clientFor(dry bool) (*chatinc.Client, error) {
	if !dry {
		return a.client()
	}
	opts := []chatinc.Option{chatinc.WithHTTPClient(&http.Client{Transport: refuseTransport{}}), chatinc.WithRetryMax(0)}
	if a.getenv(envAPIKey) == "" {
		withKey := *a
		withKey.getenv = func(k string) string {
			if k == envAPIKey {
				return "dry-run"
			}
			return a.getenv(k)
		}
		return withKey.client(opts...)
	}
	return a.client(opts...)
}

// written reports the outcome of a write: err, or with dry the checks
// having passed, or res and the message done.
func (a *app) written(dry bool, err error, res *chatinc.Result, done string, args ...any) error {
	if dry {
		if !errors.Is(err, errDryRun) {
			if err == nil {
				return errors.New("dry run: the call did not stop before sending") // the transport refuses every request
			}
			return err
		}
		return a.dryRunOK()
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(resultJSON(res))
	}
	fmt.Fprintf(a.stdout, done+"\n", args...)
	return nil
}

// dryRunOK says that a dry run's checks passed.
func (a *app) dryRunOK() error {
	if a.json {
		return a.printJSON(struct {
			DryRun bool `json:"dryRun"`
			OK     bool `json:"ok"`
		}{true, true})
	}
	fmt.Fprintln(a.stdout, "Dry run: the checks passed; nothing was sent.")
	return nil
}

// resultJSON is the --json form of a Result.
func resultJSON(r *chatinc.Result) any {
	return struct {
		Status     string `json:"status"`
		Message    string `json:"message,omitempty"`
		ID         string `json:"id,omitempty"`
		CampaignID string `json:"campaignId,omitempty"`
		RunID      string `json:"runId,omitempty"`
	}{r.Status, r.Message, r.ID, r.CampaignID, r.RunID}
}
