package chatinctest

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// createCampaign is POST /create/campaign.
func (h *Handler) createCampaign(c *call) error {
	var req struct {
		Title          string   `json:"title"`
		Message        string   `json:"message"`
		ImgURL         string   `json:"imgUrl"`
		Buttons        []button `json:"buttons"`
		MessageExample string   `json:"messageExample"`
		RunImmediately bool     `json:"runImmediately"`
		Audiences      []string `json:"audiences"`
		LanguageCode   string   `json:"languageCode"`
		TimeToRun      int64    `json:"timeToRun"`
		TemplateType   string   `json:"templateType"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("title", req.Title, "message", req.Message); err != nil {
		return err
	}
	if err := checkImageURL("imgUrl", req.ImgURL); err != nil {
		return err
	}
	if err := checkTemplateType(req.TemplateType); err != nil {
		return err
	}
	if err := checkMessageLength(req.Message); err != nil {
		return err
	}
	segments, err := splitMessage(req.Message)
	if err != nil {
		return err
	}
	locale, err := localeOf(req.LanguageCode)
	if err != nil {
		return err
	}
	if err := checkButtons(req.Buttons); err != nil {
		return err
	}
	if req.RunImmediately && len(req.Audiences) == 0 {
		return invalid("audiences is required when runImmediately is true")
	}
	if req.TimeToRun != 0 && !req.RunImmediately {
		return invalid("timeToRun is set but runImmediately is false: the campaign would be created and nothing scheduled; " +
			"set runImmediately, or schedule it with /run/campaign")
	}
	now := h.now()
	at, err := runTime(req.TimeToRun, now)
	if err != nil {
		return err
	}
	camp := &campaign{
		title:    req.Title,
		message:  req.Message,
		imgURL:   req.ImgURL,
		locale:   locale,
		buttons:  append([]button{}, req.Buttons...),
		example:  req.MessageExample,
		segments: segments,
	}
	camp.reviewed, camp.reviewedAt = "APPROVED", now
	if h.review != nil {
		status, after := h.review(req.Title, req.Message)
		camp.reviewed, camp.reviewedAt = status, now.Add(max(after, 0))
	}
	id, r, err := h.store.addCampaign(camp, req.Audiences, req.RunImmediately, at, now)
	if err != nil {
		return err
	}
	fields := map[string]any{"campaignId": id}
	if r != nil {
		fields["runId"] = r.runID
		fields["contacts"] = r.contacts
		fields["missingValues"] = r.missing
	}
	return c.success("campaign created", fields)
}

// runCampaign is POST /run/campaign.
func (h *Handler) runCampaign(c *call) error {
	var req struct {
		CampaignID string   `json:"campaignId"`
		Audiences  []string `json:"audiences"`
		TimeToRun  int64    `json:"timeToRun"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("campaignId", req.CampaignID); err != nil {
		return err
	}
	if len(req.Audiences) == 0 {
		return invalid("audiences is required")
	}
	now := h.now()
	at, err := runTime(req.TimeToRun, now)
	if err != nil {
		return err
	}
	r, err := h.store.runCampaign(req.CampaignID, req.Audiences, at, now)
	if err != nil {
		return err
	}
	message := "campaign run started"
	if r.at.After(now) {
		message = "campaign run scheduled"
	}
	return c.success(message, map[string]any{"campaignId": r.campaignID, "runId": r.runID, "contacts": r.contacts,
		"missingValues": r.missing})
}

// retrieveCampaigns is GET /retrieve/campaigns[?active=true]: one
// {"status":"success","campaigns":{...}} per campaign, as documented, in
// the order they were created. Active campaigns have a run still to come.
func (h *Handler) retrieveCampaigns(c *call) error {
	activeOnly := false
	if v := c.r.URL.Query().Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalid(`active: %q is neither "true" nor "false"`, v)
		}
		activeOnly = b
	}
	// The listings are written as they are, with nothing copied: the
	// answer's length is known up front.
	const head, tail = `{"status":"success","campaigns":`, `}`
	listings := h.store.campaignListings(h.now(), activeOnly)
	size := len("[]\n") + max(len(listings)-1, 0) // the brackets and the commas
	for _, data := range listings {
		size += len(head) + len(data) + len(tail)
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Content-Length", strconv.Itoa(size))
	c.w.WriteHeader(http.StatusOK)
	// A write error means the client has gone.
	_, _ = io.WriteString(c.w, "[")
	for i, data := range listings {
		if i > 0 {
			_, _ = io.WriteString(c.w, ",")
		}
		_, _ = io.WriteString(c.w, head)
		_, _ = c.w.Write(data)
		_, _ = io.WriteString(c.w, tail)
	}
	_, _ = io.WriteString(c.w, "]\n")
	return nil
}

// retrieveCampaign is POST /retrieve/campaign: the results of a campaign's
// completed runs, streamed as a JSON array or (format "csv") as CSV.
func (h *Handler) retrieveCampaign(c *call) error {
	var req struct {
		CampaignID string `json:"campaignId"`
		Format     string `json:"format"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("campaignId", req.CampaignID); err != nil {
		return err
	}
	if req.Format != "" && req.Format != "json" && req.Format != "csv" {
		return invalid(`format: %q is neither "json" nor "csv"`, req.Format)
	}
	camp, runs, err := h.store.completedRuns(req.CampaignID, h.now())
	if err != nil {
		return err
	}
	// The answer has begun: errors from here on mean the client has gone.
	if req.Format == "csv" {
		c.w.Header().Set("Content-Type", "text/csv")
		c.w.WriteHeader(http.StatusOK)
		cw := csv.NewWriter(c.w)
		_ = cw.Write([]string{"number", "action", "runId", "message", "timestamp"})
		_ = h.store.eachDetail(camp, runs, func(d *detailRow) error {
			return cw.Write([]string{d.Number, d.Action, d.RunID, d.Message, strconv.FormatInt(d.Timestamp, 10)})
		})
		cw.Flush()
		return nil
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(c.w)
	enc.SetEscapeHTML(false)
	sep := "["
	_ = h.store.eachDetail(camp, runs, func(d *detailRow) error {
		if _, err := io.WriteString(c.w, sep); err != nil {
			return err
		}
		sep = ","
		return enc.Encode(d)
	})
	if sep == "[" {
		_, _ = io.WriteString(c.w, sep)
	}
	_, _ = io.WriteString(c.w, "]\n")
	return nil
}
