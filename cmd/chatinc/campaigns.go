package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) campaignsCmd() *cobra.Command {
	return group("campaigns", "Create, check, run and find campaigns",
		a.campaignsCreateCmd(), a.campaignsCheckCmd(), a.campaignsRunCmd(),
		a.campaignsListCmd(), a.campaignsFindCmd(), a.campaignsAwaitRunCmd(), a.campaignsAwaitApprovalCmd())
}

// campaignFlags are the flags of a campaign's content and options, shared
// by create and check.
type campaignFlags struct {
	p       chatinc.CampaignParams
	o       chatinc.CampaignOptions
	buttons []string
	at      string
	tmpl    string
}

func (f *campaignFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.p.Title, "title", "", "the campaign's title (required)")
	fl.StringVar(&f.p.Message, "message", "", "the message, with {group.variable} placeholders (required)")
	fl.StringVar(&f.p.ImgURL, "image-url", "", "an image, an absolute https URL")
	fl.StringVar(&f.p.MessageExample, "example", "", "the message as one contact reads it (see 'chatinc message preview')")
	fl.StringArrayVar(&f.buttons, "button", nil, "a button TYPE:TEXT=VALUE, TYPE one of url, phone, input, journey (repeatable)")
	fl.BoolVar(&f.o.RunImmediately, "run-now", false, "send it at once to --audience (default: create a template to run later)")
	fl.StringArrayVar(&f.o.Audiences, "audience", nil, "with --run-now: an audience ID, or all (repeatable)")
	fl.StringVar(&f.o.LanguageCode, "language", "", "the template's language code (the API's default: enUS)")
	fl.StringVar(&f.at, "at", "", "with --run-now: when to send, RFC 3339 (2026-05-01T09:00:00+02:00)")
	fl.StringVar(&f.tmpl, "template-type", "", "MARKETING (the API's default), UTILITY or AUTHENTICATION")
}

// parse fills p and o from the flags that need parsing.
func (f *campaignFlags) parse(cmd *cobra.Command) error {
	f.p.Buttons = nil
	for _, b := range f.buttons {
		btn, err := parseButton(b)
		if err != nil {
			return usagef(cmd, "--button %q: %v", b, err)
		}
		f.p.Buttons = append(f.p.Buttons, btn)
	}
	t, err := parseTime(f.at)
	if err != nil {
		return usagef(cmd, "--at: %v", err)
	}
	f.o.TimeToRun = t
	f.o.WhatsAppTemplateType = chatinc.TemplateType(f.tmpl)
	return nil
}

// parseButton reads TYPE:TEXT=VALUE.
func parseButton(s string) (chatinc.Button, error) {
	typ, rest, ok := strings.Cut(s, ":")
	text, value, ok2 := strings.Cut(rest, "=")
	if !ok || !ok2 {
		return chatinc.Button{}, errors.New("want TYPE:TEXT=VALUE, such as url:Shop now=https://example.com/sale")
	}
	switch chatinc.ButtonType(typ) {
	case chatinc.ButtonURL:
		return chatinc.URLButton(text, value), nil
	case chatinc.ButtonPhone:
		return chatinc.PhoneButton(text, value), nil
	case chatinc.ButtonInput:
		return chatinc.InputButton(text, value), nil
	case chatinc.ButtonJourney:
		return chatinc.JourneyButton(text, value), nil
	}
	return chatinc.Button{}, fmt.Errorf("unknown button type %q: url, phone, input or journey", typ)
}

// parseTime reads an RFC 3339 time, or "" as the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2026-05-01T09:00:00+02:00", s)
	}
	return t, nil
}

func (a *app) campaignsCreateCmd() *cobra.Command {
	var f campaignFlags
	var dry bool
	cmd := &cobra.Command{
		Use:   "create --title TITLE --message TEXT [--run-now --audience ID...]",
		Short: "Create a campaign, and send it with --run-now",
		Long: `Create creates a campaign: POST /create/campaign. Without --run-now it is a
WhatsApp template, to be sent by 'chatinc campaigns run' once approved
('chatinc campaigns await-approval'); that is the safer way, as a run's
outcome can always be found out. With --run-now it is sent at once to
--audience, after the pre-flight checks ('chatinc campaigns check').

--dry-run makes the pre-flight checks only (reads: the account's variable
groups and audiences) and sends nothing.`,
		Example: `  chatinc campaigns create --title 'Spring sale' --message 'Hi {users.first_name}, the sale starts today!' \
      --button 'url:Shop now=https://example.com/sale'
  chatinc campaigns create --title 'Spring sale' --message 'Hi {users.first_name}!' --run-now --audience shoppers --dry-run`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.parse(cmd); err != nil {
				return err
			}
			c, err := a.client(chatinc.WithPreflight())
			if err != nil {
				return err
			}
			if dry {
				return a.dryRunDone(a.checked(c.CheckCampaign(cmd.Context(), f.p, f.o)))
			}
			// WithPreflight: with --run-now, CheckCampaign's reads come first.
			res, err := c.CreateCampaign(cmd.Context(), f.p, f.o)
			if errors.Is(err, chatinc.ErrOutcomeUnknown) {
				return &unknownError{err: err, next: "chatinc campaigns list   # look for " + strconv.Quote(f.p.Title) + "; a new campaign with a run means it went out"}
			}
			if err != nil {
				return a.checked(err)
			}
			if a.json {
				return a.printJSON(resultJSON(res))
			}
			if f.o.RunImmediately {
				fmt.Fprintf(a.stdout, "Created campaign %s and sent it to %s.\n", res.CampaignID, strings.Join(f.o.Audiences, ", "))
			} else {
				fmt.Fprintf(a.stdout, "Created campaign %s. Send it with:\n\n    chatinc campaigns run %s --audience AUDIENCE_ID\n", res.CampaignID, res.CampaignID)
			}
			return nil
		},
	}
	f.add(cmd)
	addDryRun(cmd, &dry)
	return cmd
}

// checked prints the problems of a pre-flight *CheckError to stderr and
// returns errReported for it; it returns other errors as they are.
func (a *app) checked(err error) error {
	var ce *chatinc.CheckError
	if !errors.As(err, &ce) {
		return err
	}
	if a.json {
		out := *a
		out.stdout = a.stderr
		_ = out.reportProblems(ce, "")
	} else {
		fmt.Fprintf(a.stderr, "chatinc: the pre-flight checks found %d %s; nothing was sent:\n", len(ce.Problems), plural(len(ce.Problems), "problem", "problems"))
		for _, p := range ce.Problems {
			fmt.Fprintf(a.stderr, "  %s\n", p)
		}
	}
	return errReported
}

// dryRunDone ends a dry run: err, or the checks having passed.
func (a *app) dryRunDone(err error) error {
	if err != nil {
		return err
	}
	return a.dryRunOK()
}

func (a *app) campaignsCheckCmd() *cobra.Command {
	var f campaignFlags
	cmd := &cobra.Command{
		Use:   "check --title TITLE --message TEXT [--audience ID...]",
		Short: "Check a campaign against the account before creating it (reads only)",
		Long: `Check checks a campaign as 'chatinc campaigns create' would send it, and
against the account: its placeholders against the variable groups (with the
placeholder you probably meant), its audiences against the audiences. It
makes reads only; nothing is created or sent. The exit status is 1 when
there are problems.`,
		Example: `  chatinc campaigns check --title 'Spring sale' --message 'Hi {users.frist_name}!' --run-now --audience shoppers`,
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.parse(cmd); err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			err = c.CheckCampaign(cmd.Context(), f.p, f.o)
			var ce *chatinc.CheckError
			if err != nil && !errors.As(err, &ce) {
				return err
			}
			return a.reportProblems(ce, "The checks passed; nothing was sent.")
		},
	}
	f.add(cmd)
	return cmd
}

func (a *app) campaignsRunCmd() *cobra.Command {
	var p chatinc.RunCampaignParams
	var at string
	var dry bool
	cmd := &cobra.Command{
		Use:   "run CAMPAIGN_ID --audience ID...",
		Short: "Send a campaign to audiences, now or at a time",
		Long: `Run sends a campaign: POST /run/campaign. It first makes the pre-flight
checks: the campaign exists, its template is not rejected, its placeholders
name the account's variable groups, the audiences exist. Then it sends.

When the answer is lost (a 5xx, a dropped connection, a timeout), the
messages may or may not have gone out: the exit status is 3 and the command
that finds out is printed ('chatinc campaigns await-run'). Do not run the
campaign again before it has answered.

--dry-run makes the pre-flight checks only and sends nothing.`,
		Example: `  chatinc campaigns run cmp_123 --audience shoppers
  chatinc campaigns run cmp_123 --audience all --at 2026-05-01T09:00:00+02:00
  chatinc campaigns run cmp_123 --audience shoppers --dry-run`,
		Args: exactArgs(1, "CAMPAIGN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.CampaignID = args[0]
			t, err := parseTime(at)
			if err != nil {
				return usagef(cmd, "--at: %v", err)
			}
			p.TimeToRun = t
			c, err := a.client(chatinc.WithPreflight())
			if err != nil {
				return err
			}
			return a.runCampaign(cmd, c, p, dry)
		},
	}
	cmd.Flags().StringArrayVar(&p.Audiences, "audience", nil, "an audience ID, or all (repeatable; required)")
	cmd.Flags().StringVar(&at, "at", "", "when to send, RFC 3339 (default: now)")
	addDryRun(cmd, &dry)
	return cmd
}

// awaitRunCommand is the command line that finds out whether a run of
// campaignID went out.
func awaitRunCommand(campaignID string, runsBefore int) string {
	return fmt.Sprintf("chatinc campaigns await-run %s --runs-before %d", shellQuote(campaignID), runsBefore)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (a *app) campaignsListCmd() *cobra.Command {
	var o chatinc.RetrieveCampaignsOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the account's campaigns with their totals",
		Example: `  chatinc campaigns list
  chatinc campaigns list --active --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			list, err := c.RetrieveCampaigns(cmd.Context(), o)
			if err != nil {
				return err
			}
			if a.json {
				out := make([]any, len(list))
				for i := range list {
					out[i] = campaignJSON(&list[i])
				}
				return a.printJSON(out)
			}
			t := newTable(a.stdout, "ID", "TITLE", "TEMPLATE", "RUNS", "SENT", "DELIVERED", "READ")
			for _, cp := range list {
				t.row(cp.CampaignID, cp.Title, cp.WhatsAppTemplatesStatus, runCount(&cp),
					strconv.Itoa(cp.TotalSent), strconv.Itoa(cp.TotalDelivered), strconv.Itoa(cp.TotalRead))
			}
			return t.flush()
		},
	}
	cmd.Flags().BoolVar(&o.Active, "active", false, "only the active campaigns")
	return cmd
}

func (a *app) campaignsFindCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "find CAMPAIGN_ID",
		Short:   "Show one campaign, its template's status and its runs",
		Example: `  chatinc campaigns find cmp_123`,
		Args:    exactArgs(1, "CAMPAIGN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			cp, err := c.FindCampaign(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printCampaign(cp)
		},
	}
}

// printCampaign writes one campaign with its runs.
func (a *app) printCampaign(cp *chatinc.Campaign) error {
	if a.json {
		return a.printJSON(campaignJSON(cp))
	}
	t := newTable(a.stdout, "ID", cp.CampaignID)
	t.row("Title", cp.Title)
	t.row("Message", cp.Message)
	t.row("Template", cp.WhatsAppTemplatesStatus)
	t.row("Sent", strconv.Itoa(cp.TotalSent))
	t.row("Delivered", fmt.Sprintf("%d (%.0f%%)", cp.TotalDelivered, 100*cp.DeliveryRate()))
	t.row("Read", fmt.Sprintf("%d (%.0f%%)", cp.TotalRead, 100*cp.ReadRate()))
	t.row("Runs", runCount(cp))
	if err := t.flush(); err != nil {
		return err
	}
	if len(cp.Runs) == 0 {
		return nil
	}
	fmt.Fprintln(a.stdout)
	t = newTable(a.stdout, "RUN", "STATUS", "TIME", "CONTACTS", "AUDIENCES")
	for _, r := range cp.Runs {
		when := ""
		if !r.TimeToRun.IsZero() {
			when = r.TimeToRun.UTC().Format(time.RFC3339)
		}
		t.row(r.RunID, r.Status, when, strconv.Itoa(r.Contacts), strings.Join(r.Audiences, ", "))
	}
	return t.flush()
}

// campaignJSON is the --json form of a campaign.
func campaignJSON(cp *chatinc.Campaign) any {
	type run struct {
		RunID     string    `json:"runId"`
		Status    string    `json:"status"`
		TimeToRun time.Time `json:"timeToRun"`
		Contacts  int       `json:"contacts"`
		Audiences []string  `json:"audiences"`
	}
	runs := make([]run, len(cp.Runs))
	for i, r := range cp.Runs {
		runs[i] = run{r.RunID, r.Status, r.TimeToRun, r.Contacts, r.Audiences}
	}
	return struct {
		CampaignID          string           `json:"campaignId"`
		RunCount            int              `json:"runCount"`
		Title               string           `json:"title"`
		Message             string           `json:"message"`
		ImgURL              string           `json:"imgUrl,omitempty"`
		Locale              string           `json:"locale,omitempty"`
		TemplateID          string           `json:"templateId,omitempty"`
		TemplateStatus      string           `json:"whatsAppTemplatesStatus"`
		Buttons             []chatinc.Button `json:"buttons"`
		Runs                []run            `json:"runs"`
		TotalSent           int              `json:"totalSent"`
		TotalDelivered      int              `json:"totalDelivered"`
		TotalRead           int              `json:"totalRead"`
		TotalSendErrors     int              `json:"totalSendErrors"`
		TotalDeliveryErrors int              `json:"totalDeliveryErrors"`
		TotalNotOnWhatsApp  int              `json:"totalNotOnWhatsApp"`
	}{cp.CampaignID, cp.RunCount, cp.Title, cp.Message, cp.ImgURL, cp.Locale, cp.TemplateID, cp.WhatsAppTemplatesStatus,
		nonNil(cp.Buttons), runs, cp.TotalSent, cp.TotalDelivered, cp.TotalRead, cp.TotalSendErrors, cp.TotalDeliveryErrors, cp.TotalNotOnWhatsApp}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
