package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) resultsCmd() *cobra.Command {
	var asCSV bool
	var output string
	cmd := &cobra.Command{
		Use:   "results CAMPAIGN_ID [--csv] [--output FILE]",
		Short: "Show what happened to every message of a campaign",
		Long: `Results lists a campaign's messages, one per contact and run: the number and
its outcome (sent, delivered, read, send_error, delivery_error,
not_on_whatsapp). The rows stream: a campaign of a million contacts is
printed as it arrives, never held in memory.

As a table by default, as a JSON array with --json, or with --csv the API's
own CSV export, streamed. --output writes to FILE instead of stdout (FILE
appears only once the export is complete); a progress bar is shown on a
terminal.`,
		Example: `  chatinc results cmp_123
  chatinc results cmp_123 --csv --output results.csv
  chatinc results cmp_123 --json | jq -r '.[] | select(.action == "not_on_whatsapp") | .number'`,
		Args: exactArgs(1, "CAMPAIGN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asCSV && a.json {
				return usagef(cmd, "--csv and --json: give one of them")
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			return a.toOutput(output, func(w io.Writer, tty bool) error {
				bar := a.progress("exporting", -1)
				if tty {
					bar = nil // the rows on the terminal show progress
				}
				if bar != nil {
					w = io.MultiWriter(w, bar)
					defer bar.Finish()
				}
				switch {
				case asCSV:
					_, err := c.RetrieveCampaignDetailsCSV(cmd.Context(), args[0], w)
					return err
				case a.json:
					return writeDetailsJSON(w, c.CampaignDetails(cmd.Context(), args[0]))
				default:
					return writeDetailsTable(w, c.CampaignDetails(cmd.Context(), args[0]))
				}
			})
		},
	}
	cmd.Flags().BoolVar(&asCSV, "csv", false, "the API's CSV export, streamed")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE (created when complete) instead of stdout")
	return cmd
}

// toOutput calls write with stdout, or with a file beside path that is
// renamed to path once write has succeeded, so that a cut-off export never
// looks complete.
func (a *app) toOutput(path string, write func(w io.Writer, tty bool) error) error {
	if path == "" || path == "-" {
		return write(a.stdout, a.stdoutTTY)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return &chatinc.ValidationError{Field: "output", Reason: err.Error(), Err: err}
	}
	defer os.Remove(tmp.Name()) // after a rename, there is nothing there
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = write(bw, false)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644) // as os.Create would make it, not CreateTemp's 0600
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// details is the sequence CampaignDetails returns.
type details = func(yield func(chatinc.CampaignDetail, error) bool)

// writeDetailsTable writes rows as they come, in columns of fixed width:
// a table that waits for its widest cell would hold every row.
func writeDetailsTable(w io.Writer, rows details) error {
	bw := bufio.NewWriter(w)
	line := func(cells ...string) {
		fmt.Fprintf(bw, "%-16s  %-15s  %-18s  %-20s  %s\n", cells[0], cells[1], cells[2], cells[3], oneLine(cells[4]))
	}
	line("NUMBER", "ACTION", "RUN", "TIME", "MESSAGE")
	n := 0
	for d, err := range rows {
		if err != nil {
			bw.Flush()
			return fmt.Errorf("after %d %s: %w", n, plural(n, "row", "rows"), err)
		}
		when := d.Columns["timestamp"]
		if sec, err := strconv.ParseInt(when, 10, 64); err == nil {
			when = time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
		line(d.Number, d.Action, d.Columns["runId"], when, d.Columns["message"])
		if n++; n%256 == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// writeDetailsJSON writes rows as one JSON array, element by element.
func writeDetailsJSON(w io.Writer, rows details) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	n := 0
	for d, err := range rows {
		if err != nil {
			bw.Flush()
			return fmt.Errorf("after %d %s: %w", n, plural(n, "row", "rows"), err)
		}
		obj := make(map[string]string, len(d.Columns)+2)
		for k, v := range d.Columns {
			obj[k] = v
		}
		obj["number"], obj["action"] = d.Number, d.Action
		b, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		bw.Write(b)
		n++
	}
	if n > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
