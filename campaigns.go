package chatinc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
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
	if p.Message == "" {
		return invalid("message", "required")
	}
	if err := checkText("message", p.Message); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(p.Message); n > MaxMessageLength {
		return invalid("message", "%d characters; the limit is %d", n, MaxMessageLength)
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
	if err := checkOptionalName("templateType", string(o.WhatsAppTemplateType)); err != nil {
		return err
	}
	if err := checkTimeToRun(o.TimeToRun); err != nil {
		return err
	}
	return checkNames("audiences", o.Audiences)
}

// CreateCampaign creates a campaign, and sends it at once when
// o.RunImmediately is true: POST /create/campaign, as one flat JSON object
// (title, message, imgUrl, buttons, runImmediately, audiences, languageCode,
// timeToRun in Unix seconds, templateType). It is the JS library's
// createCampaign. The campaign's ID is in the Result's CampaignID.
//
// CreateCampaign may send messages, and the API has no idempotency key, so
// it is retried only when the server cannot have acted on it (see the
// retry rule in the package documentation). After any other failure, check RetrieveCampaigns
// before calling it again.
func (c *Client) CreateCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) (*Result, error) {
	if err := p.validate(o); err != nil {
		return nil, err
	}
	return c.post(ctx, retry.Send, "create/campaign", p.body(o))
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
func (c *Client) RunCampaign(ctx context.Context, p RunCampaignParams) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
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
	// Runs are the campaign's sends, oldest first. After a send whose
	// outcome is not known, a new entry here says it went out.
	Runs []CampaignRun

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
	return nil
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
// It collects CampaignDetails, which decodes the rows one at a time as they
// stream; for large campaigns range over CampaignDetails instead, or use
// RetrieveCampaignDetailsCSV. WithMaxResponseBytes does not apply.
func (c *Client) RetrieveCampaignDetails(ctx context.Context, campaignID string) ([]CampaignDetail, error) {
	// The rows are gathered in chunks of growing size and copied once into
	// a slice of the right length: each row is copied twice, not the five
	// times or so of appending to one slice, and the chunks die at once.
	var (
		chunks [][]CampaignDetail
		chunk  = make([]CampaignDetail, 0, 64)
		total  int
	)
	for d, err := range c.CampaignDetails(ctx, campaignID) {
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
// streams, so memory does not grow with the number of rows, and
// WithMaxResponseBytes does not apply. It is a read, retried like one until
// its first row has been yielded, never after. Breaking out of the loop
// closes the response. An error (a *ValidationError, an *APIError, a
// *DecodeError, a transport or context error) ends the sequence as its last
// pair, with a zero CampaignDetail. The answer is read while the loop runs,
// so WithAttemptTimeout, if set, bounds the whole loop, its body included.
func (c *Client) CampaignDetails(ctx context.Context, campaignID string) iter.Seq2[CampaignDetail, error] {
	return func(yield func(CampaignDetail, error) bool) {
		b := campaignRef{CampaignID: campaignID}
		if err := b.validate(); err != nil {
			yield(CampaignDetail{}, err)
			return
		}
		s := &detailStream{yield: yield}
		if err := c.each(ctx, "retrieve/campaign", b, s); err != nil && !s.stopped {
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
	s.n++
	if !s.yield(CampaignDetail{Number: r.Lifted[0], Action: r.Lifted[1], Columns: r.Columns}, nil) {
		s.stopped = true
		return errStopped
	}
	return nil
}

func (s *detailStream) committed() bool { return s.n > 0 }

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

// FindCampaign returns the campaign whose ID is campaignID, with its totals
// and Runs, from RetrieveCampaigns (GET /retrieve/campaigns), or an error
// matching ErrNotFound when the account has no such campaign. After a
// RunCampaign error that matches ErrOutcomeUnknown, compare the campaign's
// Runs with those it had before the call to learn whether the run went out
// before sending it again.
func (c *Client) FindCampaign(ctx context.Context, campaignID string) (*Campaign, error) {
	if campaignID == "" {
		return nil, invalid("campaignId", "required")
	}
	campaigns, err := c.RetrieveCampaigns(ctx, RetrieveCampaignsOptions{})
	if err != nil {
		return nil, err
	}
	for i := range campaigns {
		if campaigns[i].CampaignID == campaignID {
			return &campaigns[i], nil
		}
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
// exactly. Where a known name is a few edits from the one written (about a
// third of its length), Suggestion holds the corrected placeholder, such as
// "{users.first_name}" for "{users.frist_name}".
func ValidateMessage(message string, groups []VariableGroup) error {
	var problems []Problem
	for _, p := range Placeholders(message) {
		if reason := placeholderSyntax(p); reason != "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: reason, Suggestion: suggestFor(p, groups, true)})
			continue
		}
		g := groupNamed(groups, p.Group)
		switch {
		case g == nil:
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("unknown variable group %q", p.Group), Suggestion: suggestFor(p, groups, false)})
		case !slices.Contains(g.Fields, p.Variable):
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("variable group %q has no variable %q", p.Group, p.Variable), Suggestion: suggestFor(p, groups, false)})
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

// placeholderSyntax says what is wrong with the form of p, or "".
func placeholderSyntax(p Placeholder) string {
	inner := strings.TrimSuffix(p.Text[1:], "}")
	switch {
	case !p.closed():
		return `unclosed placeholder: no "}"`
	case inner == "":
		return "empty placeholder: a placeholder is {group.variable}"
	case strings.ContainsFunc(inner, unicode.IsSpace):
		return "space inside a placeholder: a placeholder is {group.variable}"
	case !strings.Contains(inner, "."):
		return "no variable group: a placeholder is {group.variable}"
	case p.Group == "":
		return "empty group name: a placeholder is {group.variable}"
	case p.Variable == "":
		return "empty variable name: a placeholder is {group.variable}"
	}
	return ""
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

// suggestFor returns the known placeholder closest to p, or "". With
// loose, p may be malformed: its names are trimmed, and a variable written
// without a group is looked for in every group.
func suggestFor(p Placeholder, groups []VariableGroup, loose bool) string {
	group, variable := p.Group, p.Variable
	if loose {
		group, variable = strings.TrimSpace(group), strings.TrimSpace(variable)
		if variable == "" {
			return ""
		}
		if group == "" { // {first_name}: the one group that has it
			var found []string
			for _, g := range groups {
				if v := closest(variable, g.Fields); v != "" {
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
	g := groupNamed(groups, closest(group, names))
	if g == nil {
		return ""
	}
	if v := closest(variable, g.Fields); v != "" {
		return "{" + g.Name + "." + v + "}"
	}
	return ""
}

// closest returns the name in names nearest to s in edits, if it is within
// about a third of the length of s (at least one edit), or "".
func closest(s string, names []string) string {
	best, bestD := "", utf8.RuneCountInString(s)/3
	if bestD < 1 {
		bestD = 1
	}
	for _, n := range names {
		if n == s {
			return n
		}
		if d := editDistance(s, n); d <= bestD && (best == "" || d < bestD) {
			best, bestD = n, d
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
// *CheckError listing every problem found, or the error of a read.
func (c *Client) CheckCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) error {
	if err := p.validate(o); err != nil {
		return err
	}
	var problems []Problem
	var groups []VariableGroup
	if len(Placeholders(p.Message)) > 0 {
		var err error
		if groups, err = c.RetrieveVariableGroups(ctx); err != nil {
			return err
		}
	}
	var ce *CheckError
	if errors.As(ValidateMessage(p.Message, groups), &ce) {
		problems = append(problems, ce.Problems...)
	}
	for _, ph := range Placeholders(p.MessageExample) {
		if placeholderSyntax(ph) == "" {
			problems = append(problems, Problem{Field: "messageExample", Offset: -1, Text: ph.Text,
				Reason: "a placeholder in the example: it is the message as one contact reads it (see RenderMessage)"})
		}
	}
	if slices.ContainsFunc(o.Audiences, func(id string) bool { return id != AudienceAll }) {
		audiences, err := c.RetrieveAudiences(ctx)
		if err != nil {
			return err
		}
		ids := make([]string, len(audiences))
		for i, a := range audiences {
			ids[i] = a.ID
		}
		for i, id := range o.Audiences {
			if id == AudienceAll || slices.Contains(ids, id) {
				continue
			}
			problems = append(problems, Problem{Field: fmt.Sprintf("audiences[%d]", i), Offset: -1, Text: id,
				Reason: fmt.Sprintf("audience %q not found", id), Suggestion: closest(id, ids)})
		}
	}
	if len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}
