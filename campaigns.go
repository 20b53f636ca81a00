package chatinc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
	"github.com/google/go-querystring/query"
)

// TemplateType is the WhatsApp template category a campaign is created as.
type TemplateType string

// TemplateMarketing is the MARKETING template type, the API's default.
const TemplateMarketing TemplateType = "MARKETING"

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
	// TimeToRun schedules the send; the zero time sends at once.
	TimeToRun time.Time
	// WhatsAppTemplateType is optional; the API's default is
	// TemplateMarketing. It is sent as "templateType".
	WhatsAppTemplateType TemplateType
}

// createCampaignBody is CreateCampaign's one flat JSON object.
type createCampaignBody struct {
	Title          string       `json:"title"`
	Message        string       `json:"message"`
	ImgURL         string       `json:"imgUrl,omitempty"`
	Buttons        []Button     `json:"buttons,omitempty"`
	RunImmediately bool         `json:"runImmediately,omitempty"`
	Audiences      []string     `json:"audiences,omitempty"`
	LanguageCode   string       `json:"languageCode,omitempty"`
	TimeToRun      int64        `json:"timeToRun,omitempty"`
	TemplateType   TemplateType `json:"templateType,omitempty"`
}

func (p CampaignParams) validate(o CampaignOptions) error {
	if p.Title == "" {
		return invalid("title", "required")
	}
	if p.Message == "" {
		return invalid("message", "required")
	}
	if p.ImgURL != "" {
		if u, err := url.Parse(p.ImgURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("imgUrl", "%q is not an absolute http(s) URL", p.ImgURL)
		}
	}
	if err := validateButtons(p.Buttons); err != nil {
		return err
	}
	if o.RunImmediately && len(o.Audiences) == 0 {
		return invalid("audiences", "required when runImmediately is true")
	}
	return validateAudienceIDs(o.Audiences)
}

// CreateCampaign creates a campaign, and sends it at once when
// o.RunImmediately is true: POST /create/campaign, as one flat JSON object
// (title, message, imgUrl, buttons, runImmediately, audiences, languageCode,
// timeToRun in Unix seconds, templateType). It is the JS library's
// createCampaign. The campaign's ID is in the Result's CampaignID.
//
// CreateCampaign may send messages, and the API has no idempotency key, so
// it is retried only when the server cannot have acted on it (see the
// README's retry rule). After any other failure, check RetrieveCampaigns
// before calling it again.
func (c *Client) CreateCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) (*Result, error) {
	if err := p.validate(o); err != nil {
		return nil, err
	}
	body := createCampaignBody{
		Title: p.Title, Message: p.Message, ImgURL: p.ImgURL, Buttons: p.Buttons,
		RunImmediately: o.RunImmediately, Audiences: o.Audiences, LanguageCode: o.LanguageCode,
		TimeToRun: unixOrZero(o.TimeToRun), TemplateType: o.WhatsAppTemplateType,
	}
	cl, err := c.newRequest(ctx, retry.Send, http.MethodPost, "create/campaign", body)
	if err != nil {
		return nil, err
	}
	return c.result(cl)
}

// RunCampaignParams says which campaign to send, to whom and when.
type RunCampaignParams struct {
	// CampaignID is the campaign to send. Required.
	CampaignID string
	// Audiences are audience IDs, or AudienceAll. Required, non-empty.
	Audiences []string
	// TimeToRun schedules the send; the zero time sends at once.
	TimeToRun time.Time
}

func (p RunCampaignParams) validate() error {
	if p.CampaignID == "" {
		return invalid("campaignId", "required")
	}
	if len(p.Audiences) == 0 {
		return invalid("audiences", "at least one audience (or AudienceAll) is required")
	}
	return validateAudienceIDs(p.Audiences)
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
	body := struct {
		CampaignID string   `json:"campaignId"`
		Audiences  []string `json:"audiences"`
		TimeToRun  int64    `json:"timeToRun,omitempty"`
	}{p.CampaignID, p.Audiences, unixOrZero(p.TimeToRun)}
	cl, err := c.newRequest(ctx, retry.Send, http.MethodPost, "run/campaign", body)
	if err != nil {
		return nil, err
	}
	return c.result(cl)
}

// RetrieveCampaignsOptions filters RetrieveCampaigns.
type RetrieveCampaignsOptions struct {
	// Active keeps only active campaigns (?active=true).
	Active bool `url:"active,omitempty"`
}

// Campaign is a campaign as retrieved, with its delivery totals.
type Campaign struct {
	CampaignID              string
	Title                   string
	Message                 string
	ImgURL                  string
	Locale                  string
	TemplateID              string
	WhatsAppTemplatesStatus string
	Buttons                 []Button
	// Variables are the placeholders the message uses, as the API lists
	// them (e.g. "users.first_name").
	Variables []string
	// Runs are the campaign's sends.
	Runs []CampaignRun

	TotalSent           int
	TotalDelivered      int
	TotalRead           int
	TotalSendErrors     int
	TotalDeliveryErrors int
	TotalNotOnWhatsApp  int

	// Raw is the campaign object as received, for fields this type does not
	// name.
	Raw json.RawMessage
}

// CampaignRun is one send of a campaign.
type CampaignRun struct {
	RunID     string
	Audiences []string
	TimeToRun time.Time
	Status    string
	Contacts  int
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
	q, err := query.Values(o)
	if err != nil {
		return nil, fmt.Errorf("chatinc: encode options: %w", err)
	}
	path := "retrieve/campaigns"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return list[Campaign](ctx, c, http.MethodGet, path, nil, "campaigns")
}

// CampaignDetail is one row of a campaign's results: what happened to one
// contact in one run.
type CampaignDetail struct {
	// Number is the contact's phone number.
	Number string
	// Action is what happened, e.g. "sent", "delivered", "read",
	// "send_error", "delivery_error" or "not_on_whatsapp".
	Action string
	// Columns holds every other field of the row as text: strings as they
	// are, numbers and booleans in their JSON form, objects and arrays as
	// JSON.
	Columns map[string]string
}

// UnmarshalJSON decodes a row, keeping the columns it does not name.
func (d *CampaignDetail) UnmarshalJSON(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	*d = CampaignDetail{}
	for k, v := range obj {
		var s wire.String
		if err := s.UnmarshalJSON(v); err != nil {
			s = wire.String(bytes.TrimSpace(v)) // an object or array, kept as JSON
		}
		switch k {
		case "number":
			d.Number = string(s)
		case "action":
			d.Action = string(s)
		default:
			if d.Columns == nil {
				d.Columns = make(map[string]string, len(obj))
			}
			d.Columns[k] = string(s)
		}
	}
	return nil
}

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
// For large campaigns prefer RetrieveCampaignDetailsCSV, which streams.
func (c *Client) RetrieveCampaignDetails(ctx context.Context, campaignID string) ([]CampaignDetail, error) {
	if campaignID == "" {
		return nil, invalid("campaignId", "required")
	}
	body := map[string]string{"campaignId": campaignID}
	return list[CampaignDetail](ctx, c, http.MethodPost, "retrieve/campaign", body, "")
}

// RetrieveCampaignDetailsCSV streams a campaign's per-contact results as CSV
// to w and returns the number of bytes written: POST /retrieve/campaign with
// "format":"csv". Memory use does not grow with the size of the export. The
// call is not retried once bytes have reached w.
func (c *Client) RetrieveCampaignDetailsCSV(ctx context.Context, campaignID string, w io.Writer) (int64, error) {
	if campaignID == "" {
		return 0, invalid("campaignId", "required")
	}
	if w == nil {
		return 0, invalid("w", "a writer is required")
	}
	body := map[string]string{"campaignId": campaignID, "format": "csv"}
	cl, err := c.newRequest(ctx, retry.Read, http.MethodPost, "retrieve/campaign", body)
	if err != nil {
		return 0, err
	}
	cl.req.Header.Set("Accept", "text/csv, application/json")
	return c.do(cl, w)
}

func validateAudienceIDs(ids []string) error {
	for i, id := range ids {
		if id == "" {
			return invalid(fmt.Sprintf("audiences[%d]", i), "empty audience ID")
		}
	}
	return nil
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
