package chatinc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

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

// preflightError is the error of a send whose pre-flight failed: a
// *CheckError as it is, a read's error wrapped to say nothing was sent.
func preflightError(call string, err error) error {
	var ce *CheckError
	var ve *ValidationError
	if errors.As(err, &ce) || errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("chatinc: %s not sent: a pre-flight read failed: %w", call, err)
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
func (c *Campaign) UnmarshalJSON(data []byte) error {
	var w struct {
		CampaignID              wire.String     `json:"campaignId"`
		Title                   wire.String     `json:"title"`
		Message                 wire.String     `json:"message"`
		ImgURL                  wire.String     `json:"imgUrl"`
		Locale                  wire.String     `json:"locale"`
		TemplateID              wire.String     `json:"templateId"`
		WhatsAppTemplatesStatus wire.String     `json:"whatsAppTemplatesStatus"`
		Buttons                 json.RawMessage `json:"buttons"`
		Variables               json.RawMessage `json:"variables"`
		Runs                    json.RawMessage `json:"runs"`
		TotalSent               wire.Int        `json:"totalSent"`
		TotalDelivered          wire.Int        `json:"totalDelivered"`
		TotalRead               wire.Int        `json:"totalRead"`
		TotalSendErrors         wire.Int        `json:"totalSendErrors"`
		TotalDeliveryErrors     wire.Int        `json:"totalDeliveryErrors"`
		TotalNotOnWhatsApp      wire.Int        `json:"totalNotOnWhatsApp"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*c = Campaign{
		CampaignID: string(w.CampaignID), Title: string(w.Title), Message: string(w.Message),
		ImgURL: string(w.ImgURL), Locale: string(w.Locale), TemplateID: string(w.TemplateID),
		WhatsAppTemplatesStatus: string(w.WhatsAppTemplatesStatus),
		TotalSent:               int(w.TotalSent), TotalDelivered: int(w.TotalDelivered), TotalRead: int(w.TotalRead),
		TotalSendErrors: int(w.TotalSendErrors), TotalDeliveryErrors: int(w.TotalDeliveryErrors),
		TotalNotOnWhatsApp: int(w.TotalNotOnWhatsApp),
		Raw:                append(json.RawMessage(nil), data...),
	}
	// Best effort: a shape other than the expected one leaves these empty.
	c.Buttons = bestEffort[[]Button](w.Buttons)
	c.Variables = bestEffort[[]string](w.Variables)
	c.Runs = bestEffort[[]CampaignRun](w.Runs)
	c.RunCount = countElements(w.Runs)
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
func (r *CampaignRun) UnmarshalJSON(data []byte) error {
	var w struct {
		RunID     wire.String `json:"runId"`
		Audiences []string    `json:"audiences"`
		TimeToRun wire.Time   `json:"timeToRun"`
		Status    wire.String `json:"status"`
		Contacts  wire.Int    `json:"contacts"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*r = CampaignRun{RunID: string(w.RunID), Audiences: w.Audiences, TimeToRun: time.Time(w.TimeToRun),
		Status: string(w.Status), Contacts: int(w.Contacts)}
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

// CampaignDetail is one row of a campaign's results: what happened to one
// contact in one run.
type CampaignDetail struct {
	// Number is the contact's phone number.
	Number string
	// Action is what happened to the message: one of the Action constants
	// (ActionRead, ActionNotOnWhatsApp, ...), or another word the API may
	// add.
	Action string
	// Columns holds every other field of the row as text: strings as they
	// are, numbers and booleans in their JSON form, objects and arrays as
	// JSON. The simulator sends "runId", "message" (as the contact read it)
	// and "timestamp" (Unix seconds).
	Columns map[string]string
}

// The outcomes of one message, as CampaignDetail.Action reports them. Each
// message has one: the furthest it got, or the error that stopped it.
const (
	// ActionSent: WhatsApp accepted the message; it has not been delivered
	// (yet).
	ActionSent = "sent"
	// ActionDelivered: the message reached the contact's phone, unread.
	ActionDelivered = "delivered"
	// ActionRead: the contact opened the message.
	ActionRead = "read"
	// ActionSendError: WhatsApp did not accept the message.
	ActionSendError = "send_error"
	// ActionDeliveryError: the message was sent but could not be delivered.
	ActionDeliveryError = "delivery_error"
	// ActionNotOnWhatsApp: the number has no WhatsApp account.
	ActionNotOnWhatsApp = "not_on_whatsapp"
)

// UnmarshalJSON decodes a row, keeping the columns it does not name.
func (d *CampaignDetail) UnmarshalJSON(data []byte) error {
	if !json.Valid(data) {
		return errors.New("chatinc: CampaignDetail: invalid JSON")
	}
	return d.decode(data)
}

// decode decodes a row from valid JSON: one pass, no map but Columns, and
// one allocation for all of the row's text.
func (d *CampaignDetail) decode(data []byte) error {
	*d = CampaignDetail{}
	return wire.ObjectText(data, func(k, v string) {
		switch k {
		case "number":
			d.Number = v
		case "action":
			d.Action = v
		default:
			if d.Columns == nil {
				d.Columns = make(map[string]string, 4)
			}
			d.Columns[k] = v
		}
	})
}

// detailRow is a CampaignDetail as the details stream decodes it: encoding/json
// has checked the JSON already.
type detailRow struct{ CampaignDetail }

func (r *detailRow) UnmarshalJSON(data []byte) error { return r.decode(data) }

// ColumnNames returns the names of the row's other columns, sorted.
func (d CampaignDetail) ColumnNames() []string {
	names := make([]string, 0, len(d.Columns))
	for k := range d.Columns {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// RetrieveCampaignDetails returns a campaign's per-contact results:
// POST /retrieve/campaign. It is the JS library's retrieveCampaignDetails.
// It decodes the rows one at a time as they stream, as CampaignDetails
// does, and holds them all: WithMaxResponseBytes applies to the answer as
// a whole, as to any list answer (ErrResponseTooLarge). For large
// campaigns range over CampaignDetails instead, or use
// RetrieveCampaignDetailsCSV.
func (c *Client) RetrieveCampaignDetails(ctx context.Context, campaignID string) ([]CampaignDetail, error) {
	ctx = c.named(ctx, "RetrieveCampaignDetails")
	// The rows are gathered in chunks of growing size and copied once into
	// a slice of the right length: each row is copied twice, not the five
	// times or so of appending to one slice, and the chunks die at once.
	var (
		chunks [][]CampaignDetail
		chunk  = make([]CampaignDetail, 0, 64)
		total  int
	)
	for d, err := range c.details(ctx, campaignID, true) {
		if err != nil {
			return nil, err
		}
		if len(chunk) == cap(chunk) {
			chunks = append(chunks, chunk)
			chunk = make([]CampaignDetail, 0, min(2*cap(chunk), 1<<16))
		}
		chunk = append(chunk, d)
		total++
	}
	if len(chunks) == 0 {
		return chunk, nil
	}
	out := make([]CampaignDetail, 0, total)
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return append(out, chunk...), nil
}

// CampaignDetails returns a campaign's per-contact results as a sequence:
// POST /retrieve/campaign, decoded one row at a time while the answer
// streams, so memory does not grow with the number of rows:
// WithMaxResponseBytes bounds each row, not the answer (a larger row ends
// the sequence with ErrResponseTooLarge, as does an answer over it that is
// not a bare array of rows, such as an envelope object). It is a read, retried like one until
// its first row has been yielded, never after. Breaking out of the loop
// closes the response. An error (a *ValidationError, an *APIError, a
// *DecodeError, a transport or context error) ends the sequence as its last
// pair, with a zero CampaignDetail. The answer is read while the loop runs,
// so WithAttemptTimeout, if set, bounds the whole loop, its body included.
func (c *Client) CampaignDetails(ctx context.Context, campaignID string) iter.Seq2[CampaignDetail, error] {
	return c.details(c.named(ctx, "CampaignDetails"), campaignID, false)
}

// details is CampaignDetails, with WithMaxResponseBytes applied to the
// whole answer when whole is set (RetrieveCampaignDetails), to each row
// otherwise.
func (c *Client) details(ctx context.Context, campaignID string, whole bool) iter.Seq2[CampaignDetail, error] {
	return func(yield func(CampaignDetail, error) bool) {
		b := campaignRef{CampaignID: campaignID}
		if err := b.validate(); err != nil {
			yield(CampaignDetail{}, err)
			return
		}
		s := &detailStream{yield: yield, budgeted: whole}
		s.rows.MaxRow = int(min(c.maxResponse, math.MaxInt32))
		if err := c.each(ctx, "retrieve/campaign", b, s, whole); err != nil && !s.stopped {
			yield(CampaignDetail{}, err)
		}
	}
}

// detailStream yields the rows of a details answer as they are decoded:
// a top-level array of rows by rows, in one pass; any other shape (an
// envelope object) by dec.
type detailStream struct {
	yield   func(CampaignDetail, error) bool
	n       int // rows yielded
	stopped bool
	rows    wire.RowDecoder
	dec     wire.Decoder[detailRow]
	// budgeted: the rows are all held (RetrieveCampaignDetails), and
	// charged to budget as for a list answer.
	budgeted bool
	budget   itemBudget
}

// charge charges a row of n bytes to the budget, when the rows are held.
func (s *detailStream) charge(d *CampaignDetail, n int) error {
	if !s.budgeted {
		return nil
	}
	extra := 0
	if d.Columns != nil {
		extra = 48 + 64*len(d.Columns) // a map's header and entries, about
	}
	return s.budget.charge(unsafe.Sizeof(*d), n, extra)
}

// DecodeItem decodes a row of an envelope, which the decoder has checked,
// charging it to the budget.
func (s *detailStream) DecodeItem(data []byte, r *detailRow) error {
	if err := r.decode(data); err != nil {
		return err
	}
	return s.charge(&r.CampaignDetail, len(data))
}

// errStopped ends decoding when the caller breaks out of the loop.
var errStopped = errors.New("chatinc: iteration stopped")

// detailLifted are the columns of a row that are CampaignDetail's fields.
var detailLifted = [2]string{"number", "action"}

func (s *detailStream) decodeBody(r io.Reader) error {
	err := s.rows.Decode(r, detailLifted, s)
	if s.stopped {
		return nil
	}
	return err
}

// Other decodes an answer that is not a bare array of rows.
func (s *detailStream) Other(r io.Reader) error { return s.dec.Decode(r, "", 0, s) }

// Row yields a row of a bare array.
func (s *detailStream) Row(r *wire.TextRow) error {
	d := CampaignDetail{Number: r.Lifted[0], Action: r.Lifted[1], Columns: r.Columns}
	if err := s.charge(&d, r.Bytes); err != nil {
		return err
	}
	s.n++
	if !s.yield(d, nil) {
		s.stopped = true
		return errStopped
	}
	return nil
}

func (s *detailStream) committed() bool { return s.n > 0 }

// brokeOff reports whether the caller broke out of the loop: the call
// then closes the answer at once, unread.
func (s *detailStream) brokeOff() bool { return s.stopped }

// Begin accepts a list found in an envelope, unless rows of another list
// have been yielded already: the answer is ambiguous.
func (s *detailStream) Begin(bool) error {
	if s.n > 0 {
		return fmt.Errorf("%w: a second list after %d rows", wire.ErrNoList, s.n)
	}
	return nil
}

func (s *detailStream) Item(r *detailRow) error {
	s.n++
	if !s.yield(r.CampaignDetail, nil) {
		s.stopped = true
		return errStopped
	}
	return nil
}

// campaignRef is the body of a call about one campaign's results:
// {"campaignId":...}, with "format":"csv" for the CSV export, whose writer w
// is checked with it.
type campaignRef struct {
	CampaignID string    `json:"campaignId"`
	Format     string    `json:"format,omitempty"`
	w          io.Writer // RetrieveCampaignDetailsCSV's, not sent
}

func (r campaignRef) validate() error {
	if err := checkName("campaignId", r.CampaignID); err != nil {
		return err
	}
	if r.Format == "csv" && r.w == nil {
		return invalid("w", "a writer is required")
	}
	return nil
}

// RetrieveCampaignDetailsCSV streams a campaign's per-contact results as CSV
// to w and returns the number of bytes written: POST /retrieve/campaign with
// "format":"csv". Memory use does not grow with the size of the export. The
// call is not retried once bytes have reached w.
func (c *Client) RetrieveCampaignDetailsCSV(ctx context.Context, campaignID string, w io.Writer) (int64, error) {
	ctx = c.named(ctx, "RetrieveCampaignDetailsCSV")
	b := campaignRef{CampaignID: campaignID, Format: "csv", w: w}
	if err := b.validate(); err != nil {
		return 0, err
	}
	return c.download(ctx, "retrieve/campaign", b, w)
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
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

// Placeholder is one "{...}" of a campaign message, as Placeholders finds it.
type Placeholder struct {
	// Group and Variable are the names of a {group.variable} placeholder:
	// the text before and after its first ".". Without a "." the whole
	// text between the braces is Variable ({first_name}).
	Group, Variable string
	// Text is the placeholder as written, braces included. An unclosed
	// one runs to the next "{" or the end of the message.
	Text string
	// Offset is the byte offset of its "{" in the message.
	Offset int
}

// closed reports whether the placeholder ends with its "}".
func (p Placeholder) closed() bool { return strings.HasSuffix(p.Text, "}") }

// Placeholders returns every "{...}" of message in order, well-formed or
// not: {users.first_name}, but also {}, {first_name}, { users.x } and an
// unclosed "{". Offsets are in bytes.
func Placeholders(message string) []Placeholder {
	var out []Placeholder
	for i := 0; i < len(message); {
		open := strings.IndexByte(message[i:], '{')
		if open < 0 {
			break
		}
		open += i
		end := strings.IndexAny(message[open+1:], "{}")
		var text string
		switch {
		case end < 0: // unclosed, to the end
			text, i = message[open:], len(message)
		case message[open+1+end] == '{': // unclosed, to the next "{"
			text, i = message[open:open+1+end], open+1+end
		default:
			text, i = message[open:open+end+2], open+end+2
		}
		inner := strings.TrimSuffix(text[1:], "}")
		p := Placeholder{Text: text, Offset: open}
		if g, v, ok := strings.Cut(inner, "."); ok {
			p.Group, p.Variable = g, v
		} else {
			p.Variable = inner
		}
		out = append(out, p)
	}
	return out
}

// ValidateMessage checks a campaign message against the account's variable
// groups (from RetrieveVariableGroups) and returns nil or a *CheckError
// listing every problem, in order: each empty or malformed placeholder ({},
// {users}, {users.}, { users.x }, an unclosed "{"), each unknown group, and
// each unknown variable of a known group; then, with Offset -1, a message
// longer than MaxMessageLength. Group names match VariableGroup.Name
// exactly, inner spaces included ({My Variable Group.first_name}); a
// group's ID in a placeholder is an unknown group, whose Suggestion names
// it by its Name. Where a known name is a few edits from the one written
// (about a third of its length), Suggestion holds the corrected
// placeholder, such as "{users.first_name}" for "{users.frist_name}". A
// Suggestion is never the text written.
func ValidateMessage(message string, groups []VariableGroup) error {
	return validateMessage(context.Background(), message, groups)
}

// validateMessage is ValidateMessage, ending with ctx's error when ctx ends
// while it looks for suggestions.
func validateMessage(ctx context.Context, message string, groups []VariableGroup) error {
	var problems []Problem
	for _, p := range Placeholders(message) {
		if reason := placeholderSyntax(p); reason != "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: reason, Suggestion: suggestFor(ctx, p, groups, true)})
			continue
		}
		g := groupNamed(groups, p.Group)
		switch {
		case g == nil:
			reason := fmt.Sprintf("unknown variable group %q", p.Group)
			sug := suggestFor(ctx, p, groups, false)
			if byID := groupWithID(groups, p.Group); byID != nil {
				reason += fmt.Sprintf(": it is the ID of the group named %q, and a placeholder names a group by its Name", byID.Name)
				sug = suggestion(p.Text, "{"+byID.Name+"."+p.Variable+"}")
			}
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: reason, Suggestion: sug})
		case !slices.Contains(g.Fields, p.Variable):
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("variable group %q has no variable %q", p.Group, p.Variable), Suggestion: suggestFor(ctx, p, groups, false)})
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if n := utf8.RuneCountInString(message); n > MaxMessageLength {
		problems = append(problems, Problem{Field: "message", Offset: -1,
			Reason: fmt.Sprintf("%d characters; the limit is %d", n, MaxMessageLength)})
	}
	if len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}

// placeholderSyntax says what is wrong with the form of p, or "". A
// well-formed placeholder is {group.variable}: closed, one ".", a group
// and a variable that are not empty, no space next to a brace or the dot,
// and no line break or other control character. The group is a variable
// group's Name and may hold inner spaces ({My Variable Group.first_name}).
// chatinctest's splitMessage keeps the same rule.
func placeholderSyntax(p Placeholder) string {
	inner := strings.TrimSuffix(p.Text[1:], "}")
	edgeSpace := func(s string) bool {
		r, _ := utf8.DecodeRuneInString(s)
		l, _ := utf8.DecodeLastRuneInString(s)
		return unicode.IsSpace(r) || unicode.IsSpace(l)
	}
	switch {
	case !p.closed():
		return `unclosed placeholder: no "}"`
	case inner == "":
		return "empty placeholder: a placeholder is {group.variable}"
	case !strings.Contains(inner, "."):
		return "no variable group: a placeholder is {group.variable}"
	case strings.Count(inner, ".") > 1:
		return `more than one ".": a placeholder is {group.variable}, and neither name holds a "."`
	case p.Group == "":
		return "empty group name: a placeholder is {group.variable}"
	case p.Variable == "":
		return "empty variable name: a placeholder is {group.variable}"
	case strings.ContainsFunc(inner, unicode.IsControl):
		return "a line break or control character inside a placeholder: a placeholder is {group.variable}"
	case edgeSpace(p.Group) || edgeSpace(p.Variable):
		return "space next to a brace or the dot: a placeholder is {group.variable}"
	}
	return ""
}

// suggestion is sug unless it is the text written, which is no suggestion.
func suggestion(written, sug string) string {
	if sug == written {
		return ""
	}
	return sug
}

// groupNamed returns the group named name, or nil.
func groupNamed(groups []VariableGroup, name string) *VariableGroup {
	for i := range groups {
		if groups[i].Name == name {
			return &groups[i]
		}
	}
	return nil
}

// groupWithID returns the group whose ID is id, or nil.
func groupWithID(groups []VariableGroup, id string) *VariableGroup {
	for i := range groups {
		if groups[i].ID == id {
			return &groups[i]
		}
	}
	return nil
}

// suggestFor returns the known placeholder closest to p, or "", never
// p.Text itself. With loose, p may be malformed: its names are trimmed, and
// a variable written without a group is looked for in every group. It
// gives up, with "", when ctx ends.
func suggestFor(ctx context.Context, p Placeholder, groups []VariableGroup, loose bool) string {
	return suggestion(p.Text, suggestPlaceholder(ctx, p, groups, loose))
}

// suggestPlaceholder is suggestFor, which may return the text written.
func suggestPlaceholder(ctx context.Context, p Placeholder, groups []VariableGroup, loose bool) string {
	group, variable := p.Group, p.Variable
	if loose {
		group, variable = strings.TrimSpace(group), strings.TrimSpace(variable)
		if variable == "" {
			return ""
		}
		if group == "" { // {first_name}: the one group that has it
			var found []string
			for _, g := range groups {
				if v := closestCtx(ctx, variable, g.Fields); v != "" {
					found = append(found, "{"+g.Name+"."+v+"}")
				}
			}
			if len(found) == 1 {
				return found[0]
			}
			return ""
		}
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	g := groupNamed(groups, closestCtx(ctx, group, names))
	if g == nil {
		return ""
	}
	if v := closestCtx(ctx, variable, g.Fields); v != "" {
		return "{" + g.Name + "." + v + "}"
	}
	return ""
}

// closest returns the name in names nearest to s in edits, if it is within
// about a third of the length of s (at least one edit), or "".
func closest(s string, names []string) string { return closestCtx(context.Background(), s, names) }

// closestCtx is closest, which gives up with "" when ctx ends. A name whose
// length alone puts it beyond the bound (the distance is at least the
// difference in length) is skipped without measuring it, so that a list of
// long names costs a glance at each.
func closestCtx(ctx context.Context, s string, names []string) string {
	n := utf8.RuneCountInString(s)
	best, bestD := "", max(n/3, 1)
	for i, name := range names {
		if name == s {
			return name
		}
		if i%64 == 63 && ctx.Err() != nil {
			return ""
		}
		// A rune is 1 to 4 bytes: bound its rune count by its bytes first.
		if len(name) < n-bestD || (len(name)+3)/4 > n+bestD {
			continue
		}
		if m := utf8.RuneCountInString(name); m < n-bestD || m > n+bestD {
			continue
		}
		if d := editDistance(s, name); d <= bestD && (best == "" || d < bestD) {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// in runes: insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// RenderMessage returns message as one contact will read it: each
// {group.variable} placeholder replaced by values[group][variable]. A
// missing or empty value, or a malformed placeholder, is a *CheckError
// naming every such placeholder (WhatsApp refuses an empty template
// variable, and "Hi , your code is ." is not a message to send). Use it to
// preview a message, or to make CampaignParams.MessageExample.
func RenderMessage(message string, values map[string]map[string]string) (string, error) {
	var (
		b        strings.Builder
		problems []Problem
		last     int
	)
	for _, p := range Placeholders(message) {
		b.WriteString(message[last:p.Offset])
		last = p.Offset + len(p.Text)
		if reason := placeholderSyntax(p); reason != "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text, Reason: reason})
			continue
		}
		v := values[p.Group][p.Variable]
		if v == "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("no value for %s", p.Text)})
			continue
		}
		b.WriteString(v)
	}
	if len(problems) > 0 {
		return "", &CheckError{Problems: problems}
	}
	b.WriteString(message[last:])
	return b.String(), nil
}

// CheckCampaign checks a campaign before it is created or run, making reads
// only: nothing is created and no message is sent.
//
// It first checks p and o as CreateCampaign would, and returns that
// *ValidationError before any read. It then checks the message with
// ValidateMessage against RetrieveVariableGroups, p.MessageExample for
// placeholders left unfilled, and each audience ID of o against
// RetrieveAudiences (AudienceAll always exists). It returns nil, a
// *CheckError listing every problem found, or the error of a read (or
// ctx's, when it ends while suggestions are looked for).
func (c *Client) CheckCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) error {
	ctx = c.named(ctx, "CheckCampaign")
	if err := p.validate(o); err != nil {
		return err
	}
	problems, err := c.checkMessage(ctx, "message", p.Message)
	if err != nil {
		return err
	}
	for _, ph := range Placeholders(p.MessageExample) {
		if placeholderSyntax(ph) == "" {
			problems = append(problems, Problem{Field: "messageExample", Offset: -1, Text: ph.Text,
				Reason: "a placeholder in the example: it is the message as one contact reads it (see RenderMessage)"})
		}
	}
	more, err := c.checkAudiences(ctx, o.Audiences)
	if err != nil {
		return err
	}
	if problems = append(problems, more...); len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}

// checkMessage checks message against RetrieveVariableGroups, read only
// when the message has a placeholder, and returns ValidateMessage's
// problems, each with Field field.
func (c *Client) checkMessage(ctx context.Context, field, message string) ([]Problem, error) {
	var groups []VariableGroup
	if strings.IndexByte(message, '{') >= 0 {
		var err error
		if groups, err = c.RetrieveVariableGroups(ctx); err != nil {
			return nil, err
		}
	}
	var ce *CheckError
	if err := validateMessage(ctx, message, groups); errors.As(err, &ce) {
		for i := range ce.Problems {
			ce.Problems[i].Field = field
		}
		return ce.Problems, nil
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// checkAudiences checks each audience ID against RetrieveAudiences, read
// only when an ID is not AudienceAll.
func (c *Client) checkAudiences(ctx context.Context, audienceIDs []string) ([]Problem, error) {
	if !slices.ContainsFunc(audienceIDs, func(id string) bool { return id != AudienceAll }) {
		return nil, nil
	}
	audiences, err := c.RetrieveAudiences(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(audiences))
	for i, a := range audiences {
		ids[i] = a.ID
	}
	var problems []Problem
	for i, id := range audienceIDs {
		if id == AudienceAll || slices.Contains(ids, id) {
			continue
		}
		problems = append(problems, Problem{Field: fmt.Sprintf("audiences[%d]", i), Offset: -1, Text: id,
			Reason: fmt.Sprintf("audience %q not found", id), Suggestion: suggestion(id, closestCtx(ctx, id, ids))})
	}
	return problems, ctx.Err()
}

// CheckRun is RunCampaign's pre-flight: it checks p as RunCampaign would
// (a *ValidationError before any read), then makes reads only, and
// returns nil, a *CheckError listing every problem, or the error of a
// read. Nothing is sent.
//
// It looks the campaign up (FindCampaign's read): an unknown ID is a
// Problem with Field "campaignId", and the check stops there. A campaign
// whose WhatsApp template is REJECTED cannot be sent: a Problem, and the
// *CheckError then matches ErrTemplateRejected. (A PENDING template is not
// a problem here: AwaitApproval waits for it.) It checks the campaign's
// stored message with ValidateMessage against RetrieveVariableGroups, and
// each audience of p against RetrieveAudiences (AudienceAll always
// exists). RunCampaign on a client made WithPreflight calls it first.
func (c *Client) CheckRun(ctx context.Context, p RunCampaignParams) error {
	ctx = c.named(ctx, "CheckRun")
	if err := p.validate(); err != nil {
		return err
	}
	campaigns, err := c.RetrieveCampaigns(ctx, RetrieveCampaignsOptions{})
	if err != nil {
		return err
	}
	camp := campaignWithID(campaigns, p.CampaignID)
	if camp == nil {
		ids := make([]string, len(campaigns))
		for i := range campaigns {
			ids[i] = campaigns[i].CampaignID
		}
		return &CheckError{Problems: []Problem{{Field: "campaignId", Offset: -1, Text: p.CampaignID,
			Reason: fmt.Sprintf("campaign %q not found", p.CampaignID), Suggestion: suggestion(p.CampaignID, closestCtx(ctx, p.CampaignID, ids))}}}
	}
	ce := &CheckError{}
	if strings.EqualFold(camp.WhatsAppTemplatesStatus, "REJECTED") {
		ce.rejected = true
		ce.Problems = append(ce.Problems, Problem{Field: "campaignId", Offset: -1, Text: p.CampaignID,
			Reason: "the campaign's WhatsApp template was rejected (status REJECTED): it cannot be sent; create the campaign again with another message"})
	}
	problems, err := c.checkMessage(ctx, "message", camp.Message)
	if err != nil {
		return err
	}
	ce.Problems = append(ce.Problems, problems...)
	if problems, err = c.checkAudiences(ctx, p.Audiences); err != nil {
		return err
	}
	if ce.Problems = append(ce.Problems, problems...); len(ce.Problems) > 0 {
		return ce
	}
	return nil
}

// campaignWithID returns the campaign of campaigns whose ID is id, or nil.
func campaignWithID(campaigns []Campaign, id string) *Campaign {
	for i := range campaigns {
		if campaigns[i].CampaignID == id {
			return &campaigns[i]
		}
	}
	return nil
}

// The polling schedule of AwaitRun and AwaitApproval: a read at once, then
// after firstPoll, doubling up to maxPoll between reads.
const (
	firstPoll = time.Second
	maxPoll   = 10 * time.Second
)

// AwaitRun tells whether a run of campaignID went out, after RunCampaign
// failed with an error matching ErrOutcomeUnknown: runsBefore is the
// campaign's RunCount from before the call (FindCampaign). It reads the
// campaign (FindCampaign's read) at once, then again after 1s, doubling
// to 10s between reads (longer when a read's error carries Retry-After),
// until its RunCount exceeds runsBefore, and returns that campaign. It
// never sends, nor writes anything.
//
// Give it a context of its own (a minute or so), not the one that ended
// the send. When ctx ends first, the error matches both ErrOutcomeUnknown
// and ctx's error: whether the run went out is still not known, and it
// must not be sent again on that ground. When the answer has no "runs"
// array (RunCount -1), it returns at once an error matching
// ErrOutcomeUnknown that says so. A read's definite error (ErrNotFound, a
// 401) is returned as it is; a transient one (a 5xx, 429, a dropped
// connection) is read again on the schedule.
func (c *Client) AwaitRun(ctx context.Context, campaignID string, runsBefore int) (*Campaign, error) {
	ctx = c.named(ctx, "AwaitRun")
	return c.await(ctx, campaignID, func(camp *Campaign) (bool, error) {
		if camp.RunCount < 0 {
			return true, &outcomeUnknownError{
				err:    fmt.Errorf("chatinc: campaign %q: the answer has no runs array, so whether a run went out cannot be read", campaignID),
				advice: "do not send it again on this ground",
			}
		}
		return camp.RunCount > runsBefore, nil
	}, func(err error) error {
		return &outcomeUnknownError{
			err:    fmt.Errorf("chatinc: campaign %q: no run beyond the %d before seen when the wait ended: %w", campaignID, runsBefore, err),
			advice: "do not send it again before RunCount says it did not go out",
		}
	})
}

// AwaitApproval waits until the WhatsApp template of campaignID is
// reviewed, reading the campaign on AwaitRun's schedule: it returns the
// campaign once WhatsAppTemplatesStatus is APPROVED (in any case), an
// error matching ErrTemplateRejected when it is REJECTED, and an error
// matching ctx's when ctx ends first. It never writes. A read's definite
// error (ErrNotFound, a 401) is returned as it is.
func (c *Client) AwaitApproval(ctx context.Context, campaignID string) (*Campaign, error) {
	ctx = c.named(ctx, "AwaitApproval")
	return c.await(ctx, campaignID, func(camp *Campaign) (bool, error) {
		switch {
		case strings.EqualFold(camp.WhatsAppTemplatesStatus, "APPROVED"):
			return true, nil
		case strings.EqualFold(camp.WhatsAppTemplatesStatus, "REJECTED"):
			return true, fmt.Errorf("chatinc: campaign %q: %w", campaignID, ErrTemplateRejected)
		}
		return false, nil
	}, func(err error) error {
		return fmt.Errorf("chatinc: campaign %q: template not approved when the wait ended: %w", campaignID, err)
	})
}

// await reads campaignID at once and then on the polling schedule until
// done says so, and returns the campaign with done's error. A read's
// transient error is read again; a definite one is returned. ended makes
// the error for ctx's end.
func (c *Client) await(ctx context.Context, campaignID string, done func(*Campaign) (bool, error), ended func(error) error) (*Campaign, error) {
	if err := checkName("campaignId", campaignID); err != nil {
		return nil, err
	}
	next := firstPoll
	var wait time.Duration
	for {
		if wait > 0 {
			if err := c.pause(ctx, wait); err != nil {
				return nil, ended(err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, ended(err)
		}
		camp, err := c.FindCampaign(ctx, campaignID)
		if err == nil {
			if ok, err := done(camp); ok {
				if err != nil {
					return nil, err
				}
				return camp, nil
			}
		} else if ctx.Err() != nil {
			return nil, ended(ctx.Err())
		} else if !transient(err) {
			return nil, err
		}
		wait, next = next, min(next*2, maxPoll)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.RetryAfter > wait {
			wait = apiErr.RetryAfter
		}
	}
}

// transient reports whether a read's error may pass if read again: a 408,
// 429 or 5xx, or no answer at all. A 4xx, ErrNotFound, an answer that
// could not be decoded or was too large, and bad input are definite.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
	}
	var de *DecodeError
	var ve *ValidationError
	return !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrResponseTooLarge) &&
		!errors.As(err, &de) && !errors.As(err, &ve)
}

// pause waits d, or until ctx ends (its error); c.sleep in tests.
func (c *Client) pause(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
