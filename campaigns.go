package chatinc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// TemplateType is the WhatsApp template category a campaign is created as.
type TemplateType string

// TemplateMarketing is the MARKETING template type, the API's default.
const TemplateMarketing TemplateType = "MARKETING"

// The other WhatsApp template categories.
const (
	// TemplateUtility is the UTILITY template type: messages about a
	// transaction or account the contact asked for (order updates,
	// reminders).
	TemplateUtility TemplateType = "UTILITY"
	// TemplateAuthentication is the AUTHENTICATION template type: one-time
	// passcodes.
	TemplateAuthentication TemplateType = "AUTHENTICATION"
)

// MaxMessageLength is the most characters (runes, not bytes) a campaign
// message may have, as WhatsApp allows for a template's body.
const MaxMessageLength = 1024

// maxTimeToRunSlip is how far in the past a TimeToRun may be: more is
// refused, as a time-zone slip would otherwise send at once.
const maxTimeToRunSlip = time.Minute

// AudienceAll targets every contact of the account in a campaign's
// audiences.
const AudienceAll = "all"

// CampaignParams is a campaign's content.
type CampaignParams struct {
	// Title names the campaign. Required.
	Title string
	// Message is the text people read. Required. It may hold placeholders
	// {group.variable}, filled per contact from the variable group named
	// group.
	Message string
	// ImgURL is an optional image, an absolute http(s) URL.
	ImgURL string
	// Buttons are optional; see Button for the rules.
	Buttons []Button
	// MessageExample is optional: the message as one contact sees it, with
	// its placeholders filled in (RenderMessage makes one). It is sent as
	// "messageExample". WhatsApp asks for an example of a template with
	// variables, and older Chat Inc docs require it when Message has
	// placeholders.
	MessageExample string
}

// CampaignOptions says when and to whom a campaign goes.
type CampaignOptions struct {
	// RunImmediately sends the campaign now to Audiences. When false, the
	// campaign is created as a WhatsApp template, to be sent by RunCampaign.
	RunImmediately bool
	// Audiences are audience IDs, or AudienceAll. Required when
	// RunImmediately is true.
	Audiences []string
	// LanguageCode is optional; the API's default is "enUS".
	LanguageCode string
	// TimeToRun schedules the send; the zero time sends at once. A time
	// more than a minute in the past is refused (Field "timeToRun").
	TimeToRun time.Time
	// WhatsAppTemplateType is optional: TemplateMarketing (the API's
	// default), TemplateUtility or TemplateAuthentication. It is sent as
	// "templateType".
	WhatsAppTemplateType TemplateType
}

// createCampaignBody is CreateCampaign's one flat JSON object.
type createCampaignBody struct {
	Title          string       `json:"title"`
	Message        string       `json:"message"`
	ImgURL         string       `json:"imgUrl,omitempty"`
	Buttons        []Button     `json:"buttons,omitempty"`
	MessageExample string       `json:"messageExample,omitempty"`
	RunImmediately bool         `json:"runImmediately,omitempty"`
	Audiences      []string     `json:"audiences,omitempty"`
	LanguageCode   string       `json:"languageCode,omitempty"`
	TimeToRun      int64        `json:"timeToRun,omitempty"`
	TemplateType   TemplateType `json:"templateType,omitempty"`
}

// body is CreateCampaign's body.
func (p CampaignParams) body(o CampaignOptions) createCampaignBody {
	return createCampaignBody{
		Title: p.Title, Message: p.Message, ImgURL: p.ImgURL, Buttons: p.Buttons, MessageExample: p.MessageExample,
		RunImmediately: o.RunImmediately, Audiences: o.Audiences, LanguageCode: o.LanguageCode,
		TimeToRun: unixOrZero(o.TimeToRun), TemplateType: o.WhatsAppTemplateType,
	}
}

func (p CampaignParams) validate(o CampaignOptions) error {
	if err := checkName("title", p.Title); err != nil {
		return err
	}
	switch {
	case p.Message == "":
		return invalid("message", "required")
	case strings.TrimSpace(p.Message) == "":
		return invalid("message", "%s is blank: nobody would read anything", quoteInput(p.Message))
	}
	if err := checkText("message", p.Message); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.Message); n > MaxMessageLength {
		return invalid("message", "%d characters; the limit is %d", n, MaxMessageLength)
	}
	if err := checkPlaceholders(p.Message); err != nil {
		return err
	}
	if err := checkText("messageExample", p.MessageExample); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.MessageExample); n > MaxMessageLength {
		return invalid("messageExample", "%d characters; the limit is %d", n, MaxMessageLength)
	}
	if p.ImgURL != "" {
		if err := checkHTTPURL("imgUrl", p.ImgURL); err != nil {
			return err
		}
	}
	if err := validateButtons(p.Buttons); err != nil {
		return err
	}
	if o.RunImmediately && len(o.Audiences) == 0 {
		return invalid("audiences", "required when runImmediately is true")
	}
	if err := checkOptionalName("languageCode", o.LanguageCode); err != nil {
		return err
	}
	if err := checkTemplateType(o.WhatsAppTemplateType); err != nil {
		return err
	}
	if !o.TimeToRun.IsZero() && !o.RunImmediately {
		return invalid("timeToRun", "is set but RunImmediately is false: the API would create the template and schedule nothing; "+
			"set RunImmediately to schedule this send, or create the campaign and schedule it with RunCampaign's TimeToRun")
	}
	if err := checkTimeToRun(o.TimeToRun); err != nil {
		return err
	}
	return checkNames("audiences", o.Audiences)
}

// checkTemplateType accepts the three TemplateType constants exactly, and
// the empty type (the API's default).
func checkTemplateType(t TemplateType) error {
	switch t {
	case "", TemplateMarketing, TemplateUtility, TemplateAuthentication:
		return nil
	}
	known := []TemplateType{TemplateMarketing, TemplateUtility, TemplateAuthentication}
	reason := fmt.Sprintf("%q is not a WhatsApp template type: use TemplateMarketing, TemplateUtility or TemplateAuthentication (or leave it empty for MARKETING)",
		wire.Truncate(string(t), 32))
	upper := strings.ToUpper(strings.TrimSpace(string(t)))
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = string(k)
	}
	if sug := suggestion(string(t), closest(upper, names)); sug != "" {
		reason += fmt.Sprintf(" (did you mean %s?)", sug)
	}
	return invalid("whatsAppTemplateType", "%s", reason)
}

// checkPlaceholders refuses the first "{...}" of message that is not a
// well-formed {group.variable} placeholder (see placeholderSyntax), naming
// it and its byte offset. It reads nothing: the names are checked by
// ValidateMessage.
func checkPlaceholders(message string) error {
	if strings.IndexByte(message, '{') < 0 {
		return nil
	}
	for _, p := range Placeholders(message) {
		if reason := placeholderSyntax(p); reason != "" {
			return invalid("message", "%q at byte %d: %s", wire.Truncate(p.Text, 64), p.Offset, reason)
		}
	}
	return nil
}

// CreateCampaign creates a campaign, and sends it at once when
// o.RunImmediately is true: POST /create/campaign, as one flat JSON object
// (title, message, imgUrl, buttons, runImmediately, audiences, languageCode,
// timeToRun in Unix seconds, templateType). It is the JS library's
// createCampaign. The campaign's ID is in the Result's CampaignID.
//
// Before anything is sent it checks p and o locally, with no read: every
// "{...}" of the message must be a well-formed {group.variable}
// placeholder, TimeToRun needs RunImmediately, and WhatsAppTemplateType is
// one of the TemplateType constants or empty; each mistake is a
// *ValidationError. On a client made WithPreflight, a CreateCampaign with
// RunImmediately first makes CheckCampaign's reads, and returns its
// *CheckError, or the error of a read, with nothing sent.
//
// CreateCampaign may send messages, and the API has no idempotency key, so
// it is retried only when the server cannot have acted on it (see the
// retry rule in the package documentation). After an error matching
// ErrOutcomeUnknown the campaign's ID is not known: to send so that it is,
// create the campaign without RunImmediately and send it with RunCampaign,
// whose unknown outcome AwaitRun resolves.
func (c *Client) CreateCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) (*Result, error) {
	ctx = c.named(ctx, "CreateCampaign")
	if err := p.validate(o); err != nil {
		return nil, err
	}
	if c.preflight && o.RunImmediately {
		if err := c.CheckCampaign(ctx, p, o); err != nil {
			return nil, preflightError("CreateCampaign", err)
		}
	}
	r, err := c.post(ctx, retry.Send, "create/campaign", p.body(o))
	if ou := (*outcomeUnknownError)(nil); errors.As(err, &ou) {
		ou.advice = "the campaign's ID is not known, so check RetrieveCampaigns by title before sending again; " +
			"to send so that the ID is known, create the campaign without RunImmediately and send it with RunCampaign"
	}
	return r, err
}

// RunCampaignParams says which campaign to send, to whom and when.
type RunCampaignParams struct {
	// CampaignID is the campaign to send. Required.
	CampaignID string
	// Audiences are audience IDs, or AudienceAll. Required, non-empty.
	Audiences []string
	// TimeToRun schedules the send; the zero time sends at once. A time
	// more than a minute in the past is refused (Field "timeToRun").
	TimeToRun time.Time
}

// runCampaignBody is RunCampaign's body.
type runCampaignBody struct {
	CampaignID string   `json:"campaignId"`
	Audiences  []string `json:"audiences"`
	TimeToRun  int64    `json:"timeToRun,omitempty"`
}

func (p RunCampaignParams) body() runCampaignBody {
	return runCampaignBody{p.CampaignID, p.Audiences, unixOrZero(p.TimeToRun)}
}

func (p RunCampaignParams) validate() error {
	if err := checkName("campaignId", p.CampaignID); err != nil {
		return err
	}
	if len(p.Audiences) == 0 {
		return invalid("audiences", "at least one audience (or AudienceAll) is required")
	}
	if err := checkTimeToRun(p.TimeToRun); err != nil {
		return err
	}
	return checkNames("audiences", p.Audiences)
}

// RunCampaign sends a campaign that was created without RunImmediately, or
// sends a campaign again: POST /run/campaign (campaignId, audiences, and
// timeToRun when set). It is the JS library's runCampaign.
//
// Like CreateCampaign, it is retried only when the server cannot have acted.
// After an error matching ErrOutcomeUnknown, AwaitRun, given the campaign's
// RunCount from before the call, tells whether the run went out. On a
// client made WithPreflight, RunCampaign first makes CheckRun's reads, and
// returns its *CheckError, or the error of a read, with nothing sent.
func (c *Client) RunCampaign(ctx context.Context, p RunCampaignParams) (*Result, error) {
	ctx = c.named(ctx, "RunCampaign")
	if err := p.validate(); err != nil {
		return nil, err
	}
	if c.preflight {
		if err := c.CheckRun(ctx, p); err != nil {
			return nil, preflightError("RunCampaign", err)
		}
	}
	return c.post(ctx, retry.Send, "run/campaign", p.body())
}

// RetrieveCampaignsOptions filters RetrieveCampaigns.
type RetrieveCampaignsOptions struct {
	// Active keeps only active campaigns (?active=true).
	Active bool `url:"active,omitempty"`
}

// Campaign is a campaign as retrieved, with its delivery totals.
type Campaign struct {
	// CampaignID is the campaign's ID: pass it to RunCampaign and
	// RetrieveCampaignDetails.
	CampaignID string
	// Title is the name the campaign was created with.
	Title string
	// Message is the campaign's message as written, placeholders included.
	Message string
	// ImgURL is the campaign's image, or "".
	ImgURL string
	// Locale is the WhatsApp template's language, e.g. "en_US".
	Locale string
	// TemplateID is the ID of the WhatsApp template the campaign was
	// created as.
	TemplateID string
	// WhatsAppTemplatesStatus is WhatsApp's review status of the template,
	// e.g. "APPROVED"; a template that is not approved cannot be sent.
	WhatsAppTemplatesStatus string
	// Buttons are the campaign's buttons, as the API returns them.
	Buttons []Button
	// Variables are the placeholders the message uses, as the API lists
	// them (e.g. "users.first_name").
	Variables []string
	// Runs are the campaign's sends, oldest first, those of the expected
	// shape. To learn whether a send went out, use RunCount.
	Runs []CampaignRun
	// RunCount is the number of elements of the answer's "runs" array,
	// whatever their shape, or -1 when the answer has no "runs" array. An
	// element the SDK cannot decode is counted here though not in Runs, so
	// that a shape it does not know never reads as "no runs". AwaitRun
	// compares it with the count from before a send.
	RunCount int

	// TotalSent counts the messages WhatsApp accepted, over the completed
	// runs: those delivered, read and undelivered (ActionDeliveryError)
	// included. DeliveryRate and ReadRate divide by it.
	TotalSent int
	// TotalDelivered counts the messages delivered to a phone (read ones
	// included).
	TotalDelivered int
	// TotalRead counts the messages their recipient opened.
	TotalRead int
	// TotalSendErrors counts the messages WhatsApp would not accept
	// (ActionSendError).
	TotalSendErrors int
	// TotalDeliveryErrors counts the messages sent but never delivered
	// (ActionDeliveryError).
	TotalDeliveryErrors int
	// TotalNotOnWhatsApp counts the numbers that have no WhatsApp account
	// (ActionNotOnWhatsApp).
	TotalNotOnWhatsApp int

	// Raw is the campaign object as received, for fields this type does not
	// name.
	Raw json.RawMessage
}

// The statuses of a CampaignRun, as the API reports them.
const (
	// RunScheduled is a run whose TimeToRun has not come yet: nothing has
	// been sent.
	RunScheduled = "scheduled"
	// RunCompleted is a run whose messages have gone out; their outcomes
	// are in RetrieveCampaignDetails.
	RunCompleted = "completed"
)

// CampaignRun is one send of a campaign.
type CampaignRun struct {
	// RunID identifies the run.
	RunID string
	// Audiences are the audience IDs the run was sent to (or AudienceAll).
	Audiences []string
	// TimeToRun is when the run was, or is, to go out.
	TimeToRun time.Time
	// Status is RunScheduled or RunCompleted (or another word the API may
	// add).
	Status string
	// Contacts is how many contacts the run targets.
	Contacts int
}

// DeliveryRate is TotalDelivered / TotalSent, or 0 when nothing was sent.
func (c Campaign) DeliveryRate() float64 { return ratio(c.TotalDelivered, c.TotalSent) }

// ReadRate is TotalRead / TotalSent, or 0 when nothing was sent.
func (c Campaign) ReadRate() float64 { return ratio(c.TotalRead, c.TotalSent) }

func ratio(n, d int) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// UnmarshalJSON decodes a campaign leniently: numbers may come as strings,
// unknown fields are ignored, and the undocumented variables and runs are
// decoded when their shape is the expected one and otherwise left to Raw.
func (c *Campaign) UnmarshalJSON(data []byte) error { return unmarshalChecked(c, data) }

func (c *Campaign) decodeValid(data []byte) error {
	var buttons, variables, runs []byte // the undocumented fields, decoded at the end
	d := Campaign{}
	err := wire.Fields(data, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "campaignId"):
			d.CampaignID, err = wire.Text(v)
		case wire.Field(name, "title"):
			d.Title, err = wire.Text(v)
		case wire.Field(name, "message"):
			d.Message, err = wire.Text(v)
		case wire.Field(name, "imgUrl"):
			d.ImgURL, err = wire.Text(v)
		case wire.Field(name, "locale"):
			d.Locale, err = wire.Text(v)
		case wire.Field(name, "templateId"):
			d.TemplateID, err = wire.Text(v)
		case wire.Field(name, "whatsAppTemplatesStatus"):
			d.WhatsAppTemplatesStatus, err = wire.Text(v)
		case wire.Field(name, "buttons"):
			buttons = v
		case wire.Field(name, "variables"):
			variables = v
		case wire.Field(name, "runs"):
			runs = v
		case wire.Field(name, "totalSent"):
			d.TotalSent, err = wire.Number(v)
		case wire.Field(name, "totalDelivered"):
			d.TotalDelivered, err = wire.Number(v)
		case wire.Field(name, "totalRead"):
			d.TotalRead, err = wire.Number(v)
		case wire.Field(name, "totalSendErrors"):
			d.TotalSendErrors, err = wire.Number(v)
		case wire.Field(name, "totalDeliveryErrors"):
			d.TotalDeliveryErrors, err = wire.Number(v)
		case wire.Field(name, "totalNotOnWhatsApp"):
			d.TotalNotOnWhatsApp, err = wire.Number(v)
		}
		return err
	})
	if err != nil {
		return err
	}
	// Best effort: a shape other than the expected one leaves these empty.
	d.Buttons = bestEffort[[]Button](buttons)
	d.Variables = bestEffort[[]string](variables)
	d.Runs = bestEffort[[]CampaignRun](runs)
	d.RunCount = countElements(runs)
	d.Raw = append(json.RawMessage(nil), data...)
	*c = d
	return nil
}

// countElements returns the number of elements of the JSON array raw,
// whatever they hold, or -1 when raw is not an array (absent, null, or
// another value).
func countElements(raw json.RawMessage) int {
	var elems []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '[' || json.Unmarshal(t, &elems) != nil {
		return -1
	}
	return len(elems)
}

// bestEffort decodes raw into a T, or returns T's zero value when raw has
// another shape.
func bestEffort[T any](raw json.RawMessage) T {
	var v T
	if json.Unmarshal(raw, &v) != nil {
		var zero T
		return zero
	}
	return v
}

// UnmarshalJSON decodes a run leniently.
func (r *CampaignRun) UnmarshalJSON(data []byte) error { return unmarshalChecked(r, data) }

func (r *CampaignRun) decodeValid(data []byte) error {
	d := CampaignRun{}
	err := wire.Fields(data, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "runId"):
			d.RunID, err = wire.Text(v)
		case wire.Field(name, "audiences"):
			d.Audiences = nil
			err = json.Unmarshal(v, &d.Audiences)
		case wire.Field(name, "timeToRun"):
			var t wire.Time
			err = t.UnmarshalJSON(v)
			d.TimeToRun = time.Time(t)
		case wire.Field(name, "status"):
			d.Status, err = wire.Text(v)
		case wire.Field(name, "contacts"):
			d.Contacts, err = wire.Number(v)
		}
		return err
	})
	if err != nil {
		return err
	}
	*r = d
	return nil
}

// RetrieveCampaigns lists the account's campaigns with their totals:
// GET /retrieve/campaigns, with ?active=true when o.Active. It is the JS
// library's retrieveCampaigns.
func (c *Client) RetrieveCampaigns(ctx context.Context, o RetrieveCampaignsOptions) ([]Campaign, error) {
	ctx = c.named(ctx, "RetrieveCampaigns")
	path, err := withQuery("retrieve/campaigns", o)
	if err != nil {
		return nil, err
	}
	return list[Campaign](ctx, c, http.MethodGet, path, nil, "campaigns")
}

// FindCampaign returns the campaign whose ID is campaignID, with its totals,
// Runs and RunCount, from RetrieveCampaigns (GET /retrieve/campaigns), or an
// error matching ErrNotFound when the account has no such campaign. Before
// a RunCampaign, keep its RunCount: after an error that matches
// ErrOutcomeUnknown, AwaitRun compares the campaign's RunCount with it.
func (c *Client) FindCampaign(ctx context.Context, campaignID string) (*Campaign, error) {
	ctx = c.named(ctx, "FindCampaign")
	if campaignID == "" {
		return nil, invalid("campaignId", "required")
	}
	campaigns, err := c.RetrieveCampaigns(ctx, RetrieveCampaignsOptions{})
	if err != nil {
		return nil, err
	}
	if camp := campaignWithID(campaigns, campaignID); camp != nil {
		return camp, nil
	}
	return nil, fmt.Errorf("chatinc: campaign %q: %w", campaignID, ErrNotFound)
}
