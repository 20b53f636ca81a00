package chatinctest

import (
	"bytes"
	"encoding/json"
	"time"
)

// The JSON the campaign endpoints answer with.

// button is a campaign button, as the API takes and returns it.
type button struct {
	Text string `json:"text"`
	Type string `json:"type"`
	// ButtonType is in the docs' curl example beside type: known, so that
	// it draws no unknown-field warning, and otherwise ignored.
	ButtonType  string `json:"buttonType,omitempty"`
	Input       string `json:"input,omitempty"`
	JourneyID   string `json:"journeyId,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	URL         string `json:"url,omitempty"`
}

// campaignJSON is a campaign as GET /retrieve/campaigns lists it.
type campaignJSON struct {
	CampaignID              string    `json:"campaignId"`
	Title                   string    `json:"title"`
	Message                 string    `json:"message"`
	ImgURL                  string    `json:"imgUrl"`
	MessageExample          string    `json:"messageExample,omitempty"`
	Buttons                 []button  `json:"buttons"`
	Variables               []string  `json:"variables"`
	Locale                  string    `json:"locale"`
	TemplateID              string    `json:"templateId"`
	WhatsAppTemplatesStatus string    `json:"whatsAppTemplatesStatus"`
	Runs                    []runJSON `json:"runs"`
	TotalSent               int       `json:"totalSent"`
	TotalDelivered          int       `json:"totalDelivered"`
	TotalRead               int       `json:"totalRead"`
	TotalSendErrors         int       `json:"totalSendErrors"`
	TotalDeliveryErrors     int       `json:"totalDeliveryErrors"`
	TotalNotOnWhatsApp      int       `json:"totalNotOnWhatsApp"`
}

// runJSON is a run as GET /retrieve/campaigns lists it.
type runJSON struct {
	RunID     string   `json:"runId"`
	Audiences []string `json:"audiences"`
	TimeToRun int64    `json:"timeToRun"`
	Status    string   `json:"status"` // "scheduled" or "completed"
	Contacts  int      `json:"contacts"`
}

// listing returns c as listed at now, and whether it has a run still to
// come. Only completed runs count in the totals.
func (st *state) listing(c *campaign, now time.Time) (campaignJSON, bool) {
	j := campaignJSON{
		CampaignID: c.id, Title: c.title, Message: c.message, ImgURL: c.imgURL, MessageExample: c.example,
		Buttons: c.buttons, Variables: c.variables, Locale: c.locale,
		TemplateID: c.id, WhatsAppTemplatesStatus: c.templateStatus(now), Runs: []runJSON{},
	}
	var t tally
	active := false
	for _, r := range c.runs {
		status := "scheduled"
		if r.completed(now) {
			status = "completed"
			t.add(r.tally(st.seed, c.id))
		} else {
			active = true
		}
		j.Runs = append(j.Runs, runJSON{r.id, r.audiences, r.at.Unix(), status, len(r.contacts)})
	}
	j.TotalSent = t[sent] + t[delivered] + t[read] + t[deliveryError]
	j.TotalDelivered = t[delivered] + t[read]
	j.TotalRead = t[read]
	j.TotalSendErrors = t[sendError]
	j.TotalDeliveryErrors = t[deliveryError]
	j.TotalNotOnWhatsApp = t[notOnWhatsApp]
	return j, active
}

// listedJSON is a campaign's listing as JSON, for its first runs runs,
// the last of which was at latest.
type listedJSON struct {
	runs   int
	latest time.Time
	data   []byte
}

// listingJSON returns c's listing at now as JSON, and whether it is active.
// A campaign whose runs are all completed lists the same until it runs
// again: its JSON is kept, so that listing many campaigns costs a copy of
// each rather than encoding each again.
func (st *state) listingJSON(c *campaign, now time.Time) ([]byte, bool) {
	if l := c.listed.Load(); l != nil && l.runs == len(c.runs) && !now.Before(l.latest) {
		return l.data, false
	}
	j, active := st.listing(c, now)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(j) // plain values always encode
	data := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if !active && !now.Before(c.reviewedAt) {
		// Kept while no run is added and the clock (which WithClock may
		// turn back) is past the last run; made once the template's review is done.
		l := &listedJSON{runs: len(c.runs), data: data}
		for _, r := range c.runs {
			if r.at.After(l.latest) {
				l.latest = r.at
			}
		}
		c.listed.Store(l)
	}
	return data, active
}

// detailRow is one row of a campaign's results: what happened to the
// message of one run to one contact.
type detailRow struct {
	Number    string `json:"number"`
	Action    string `json:"action"`
	RunID     string `json:"runId"`
	Message   string `json:"message"`
	Timestamp int64  `json:"timestamp"` // Unix seconds
	// MissingValues are the placeholders ("group.field") the contact had no
	// value for, rendered as "": the simulator's own marker, not the API's.
	MissingValues []string `json:"missingValues,omitempty"`
}
