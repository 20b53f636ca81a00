package simulator

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Campaign limits and defaults.
const (
	maxButtons          = 10
	maxURLButtons       = 2
	maxPhoneButtons     = 1
	maxButtonText       = 25   // characters
	maxMessageLength    = 1024 // characters
	defaultLanguageCode = "enUS"
	maxUnixSeconds      = 253402300799 // 9999-12-31T23:59:59Z: a larger timeToRun is in milliseconds
)

// templateTypes are the WhatsApp template categories a campaign may be
// created as; the first is the default.
var templateTypes = []string{"MARKETING", "UTILITY", "AUTHENTICATION"}

// button is a campaign button, as the API takes and returns it.
type button struct {
	Text        string `json:"text"`
	Type        string `json:"type"`
	Input       string `json:"input,omitempty"`
	JourneyID   string `json:"journeyId,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	URL         string `json:"url,omitempty"`
}

// segment is a piece of a campaign message: literal text, or (ref != "") a
// {group.field} placeholder, resolved to the group's ID and field index.
type segment struct {
	literal string
	ref     string // "group.field", as written
	offset  int    // the byte offset of the placeholder's "{" in the message
	groupID string
	field   int
}

// splitMessage splits msg at its {group.field} placeholders. Braces around
// anything else ("{}", "{a b}", JSON) are literal text, but for a single
// name of letters, digits, "_" and "-" ({first_name}), which is refused: it
// reads as a placeholder that forgot its group, and would otherwise go out
// as the literal text.
func splitMessage(msg string) ([]segment, error) {
	var segs []segment
	literal := func(s string) {
		if s == "" {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].ref == "" {
			segs[n-1].literal += s
			return
		}
		segs = append(segs, segment{literal: s})
	}
	pos := 0 // the byte offset of msg in the whole message
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		inner := msg[open+1 : open+end]
		group, field, ok := strings.Cut(inner, ".")
		name := inner != "" && !strings.ContainsFunc(inner, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '.'
		})
		if name && !ok {
			return nil, placeholderError(msg[open:open+end+1], pos+open, "no variable group: a placeholder is {group.variable}")
		}
		if !ok || group == "" || field == "" || strings.Contains(inner, "{") {
			literal(msg[:open+1])
			msg, pos = msg[open+1:], pos+open+1
			continue
		}
		literal(msg[:open])
		segs = append(segs, segment{ref: inner, offset: pos + open})
		msg, pos = msg[open+end+1:], pos+open+end+1
	}
	literal(msg)
	return segs, nil
}

// placeholderError is the 400 for a placeholder, worded as the SDK's
// pre-flight check words the same problem.
func placeholderError(text string, offset int, reason string) error {
	return badRequest("message: %s at byte %d: %s", text, offset, reason)
}

// resolve points each placeholder of segs at its variable group (by ID, or
// else by name) and field, and returns the placeholders, each once. The
// caller holds the lock.
func (st *store) resolve(segs []segment) ([]string, error) {
	variables := []string{}
	for i := range segs {
		s := &segs[i]
		if s.ref == "" {
			continue
		}
		name, field, _ := strings.Cut(s.ref, ".")
		g := st.groupNamed(name)
		if g == nil {
			return nil, placeholderError("{"+s.ref+"}", s.offset, fmt.Sprintf("unknown variable group %q", name))
		}
		j, ok := g.fieldIndex[field]
		if !ok {
			return nil, placeholderError("{"+s.ref+"}", s.offset, fmt.Sprintf("variable group %q has no variable %q", name, field))
		}
		s.groupID, s.field = g.id, j
		if !slices.Contains(variables, s.ref) {
			variables = append(variables, s.ref)
		}
	}
	return variables, nil
}

// groupNamed returns the variable group whose ID is name, or else the first
// (by ID) whose name is name, or nil. The caller holds the lock.
func (st *store) groupNamed(name string) *group {
	if g := st.groups[name]; g != nil {
		return g
	}
	for _, id := range sortedKeys(st.groups) {
		if g := st.groups[id]; g.name == name {
			return g
		}
	}
	return nil
}

// render returns the campaign's message for the contact key, with each
// placeholder replaced by the contact's value ("" if none). The caller
// holds the lock.
func (c *campaign) render(groups map[string]*group, key string) string {
	if len(c.segments) == 1 && c.segments[0].ref == "" {
		return c.segments[0].literal
	}
	var b strings.Builder
	for _, s := range c.segments {
		if s.ref == "" {
			b.WriteString(s.literal)
		} else {
			b.WriteString(groups[s.groupID].value(key, s.field))
		}
	}
	return b.String()
}

// missing returns the placeholders of the campaign's message ("group.field")
// for which the contact key has no value, or an empty one. The caller holds
// the lock.
func (c *campaign) missing(groups map[string]*group, key string) []string {
	var out []string
	for _, s := range c.segments {
		if s.ref != "" && groups[s.groupID].value(key, s.field) == "" && !slices.Contains(out, s.ref) {
			out = append(out, s.ref)
		}
	}
	return out
}

// checkButtons checks buttons against the API's rules and WhatsApp's: a
// known type, a text of at most 25 characters, the field the type needs, at
// most ten buttons, two URL and one phone button, and phone and URL buttons
// never mixed with input or journey buttons.
func checkButtons(buttons []button) error {
	if len(buttons) > maxButtons {
		return badRequest("buttons: at most %d buttons, got %d", maxButtons, len(buttons))
	}
	var action, link bool
	count := map[string]int{}
	for i, b := range buttons {
		label := fmt.Sprintf("buttons[%d]", i)
		var field, value string
		switch b.Type {
		case "input":
			field, value, action = "input", b.Input, true
		case "journey":
			field, value, action = "journeyId", b.JourneyID, true
		case "phone":
			field, value, link = "phoneNumber", b.PhoneNumber, true
		case "url":
			field, value, link = "url", b.URL, true
		case "":
			return badRequest("%s.type is required", label)
		default:
			return badRequest("%s.type: %q is not a button type: use input, journey, phone or url", label, b.Type)
		}
		if err := required(label+".text", b.Text, label+"."+field, value); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(b.Text); n > maxButtonText {
			return badRequest("%s.text: %d characters; WhatsApp allows at most %d", label, n, maxButtonText)
		}
		count[b.Type]++
		switch b.Type {
		case "phone":
			if _, err := parsePhoneField(label+".phoneNumber", value); err != nil {
				return err
			}
		case "url":
			if u, err := url.Parse(value); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return badRequest("%s.url: %q is not an http or https URL", label, value)
			}
		}
	}
	for _, limit := range []struct {
		kind string
		max  int
	}{{"url", maxURLButtons}, {"phone", maxPhoneButtons}} {
		if count[limit.kind] > limit.max {
			return badRequest("buttons: %d %s buttons; WhatsApp allows at most %d", count[limit.kind], limit.kind, limit.max)
		}
	}
	if action && link {
		return badRequest("buttons: phone and url buttons cannot be mixed with input or journey buttons")
	}
	return nil
}

// localeOf turns a language code ("enUS", "en_US", "en-us", "en") into a
// locale ("en_US"); "" is the default, enUS.
func localeOf(code string) (string, error) {
	if code == "" {
		code = defaultLanguageCode
	}
	lang, region, sep := strings.Cut(strings.ReplaceAll(code, "-", "_"), "_")
	if !sep && len(code) == 4 {
		lang, region = code[:2], code[2:]
	}
	if !letters(lang, 2, 3) || ((sep || region != "") && !letters(region, 2, 2)) {
		return "", badRequest("languageCode: %q is not a language code such as %q", code, defaultLanguageCode)
	}
	locale := strings.ToLower(lang)
	if region != "" {
		locale += "_" + strings.ToUpper(region)
	}
	return locale, nil
}

// letters reports whether s is min to max ASCII letters.
func letters(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// runTime is when a run given timeToRun (Unix seconds; 0 for now) takes
// place.
func runTime(timeToRun int64, now time.Time) (time.Time, error) {
	switch {
	case timeToRun == 0:
		return time.Unix(now.Unix(), 0), nil
	case timeToRun < 0 || timeToRun > maxUnixSeconds:
		return time.Time{}, badRequest("timeToRun: %d is not a Unix time in seconds", timeToRun)
	}
	return time.Unix(timeToRun, 0), nil
}

// startRun starts a run of c for the contacts of audiences (which exist),
// at a time that may be in the future. The caller holds the write lock.
func (st *store) startRun(c *campaign, audiences []string, at time.Time) *run {
	st.runSeq++
	r := &run{
		id:        makeID(st.seed, "r_", st.runSeq),
		audiences: slices.Clone(audiences),
		at:        at,
		contacts:  st.contactsOf(audiences),
	}
	for _, p := range r.contacts {
		if len(c.missing(st.groups, p.key())) > 0 {
			r.missing++
		}
	}
	c.runs = append(c.runs, r)
	return r
}

// addCampaign stores c once its placeholders and audiences check out, and
// with runNow starts a run of it.
func (st *store) addCampaign(c *campaign, audiences []string, runNow bool, at time.Time) (written, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	variables, err := st.resolve(c.segments)
	if err != nil {
		return written{}, err
	}
	if err := st.checkAudiences(audiences); err != nil {
		return written{}, err
	}
	st.campaignSeq++
	c.id = makeID(st.seed, "c_", st.campaignSeq)
	c.variables = variables
	st.campaigns[c.id] = c
	st.campaignOrder = append(st.campaignOrder, c)
	result := written{"campaign created", map[string]any{"campaignId": c.id}}
	if runNow {
		r := st.startRun(c, audiences, at)
		result.fields["runId"] = r.id
		result.fields["contacts"] = len(r.contacts)
		result.fields["missingValues"] = r.missing
	}
	return result, nil
}

// runCampaign starts a run of the campaign id.
func (st *store) runCampaign(id string, audiences []string, at, now time.Time) (written, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := st.campaigns[id]
	if c == nil {
		return written{}, notFound("campaign %q not found", id)
	}
	if err := st.checkAudiences(audiences); err != nil {
		return written{}, err
	}
	r := st.startRun(c, audiences, at)
	message := "campaign run started"
	if !r.completed(now) {
		message = "campaign run scheduled"
	}
	return written{message, map[string]any{"campaignId": c.id, "runId": r.id, "contacts": len(r.contacts),
		"missingValues": r.missing}}, nil
}

// createCampaign is POST /create/campaign.
func (s *Simulator) createCampaign(c *call) error {
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
	if req.TemplateType != "" && !slices.Contains(templateTypes, req.TemplateType) {
		return badRequest("templateType: %q is not a template type: use %s", req.TemplateType, strings.Join(templateTypes, ", "))
	}
	if n := utf8.RuneCountInString(req.Message); n > maxMessageLength {
		return badRequest("message: %d characters; the limit is %d", n, maxMessageLength)
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
		return badRequest("audiences is required when runImmediately is true")
	}
	now := s.now()
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
	return c.answer(s.store.addCampaign(camp, req.Audiences, req.RunImmediately, at))
}

// runCampaign is POST /run/campaign.
func (s *Simulator) runCampaign(c *call) error {
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
		return badRequest("audiences is required")
	}
	now := s.now()
	at, err := runTime(req.TimeToRun, now)
	if err != nil {
		return err
	}
	return c.answer(s.store.runCampaign(req.CampaignID, req.Audiences, at, now))
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
// come. Only completed runs count in the totals. The caller holds the lock.
func (st *store) listing(c *campaign, now time.Time) (campaignJSON, bool) {
	j := campaignJSON{
		CampaignID: c.id, Title: c.title, Message: c.message, ImgURL: c.imgURL, MessageExample: c.example,
		Buttons: c.buttons, Variables: c.variables, Locale: c.locale,
		TemplateID: c.id, WhatsAppTemplatesStatus: "APPROVED", Runs: []runJSON{},
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

// retrieveCampaigns is GET /retrieve/campaigns[?active=true]: one
// {"status":"success","campaigns":{...}} per campaign, as documented, in
// the order they were created. Active campaigns have a run still to come.
func (s *Simulator) retrieveCampaigns(c *call) error {
	activeOnly := false
	if v := c.r.URL.Query().Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badRequest(`active: %q is neither "true" nor "false"`, v)
		}
		activeOnly = b
	}
	now := s.now()
	var buf bytes.Buffer
	buf.WriteByte('[')
	s.store.mu.RLock()
	for _, camp := range s.store.campaignOrder {
		data, active := s.store.listingJSON(camp, now)
		if !active && activeOnly {
			continue
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"status":"success","campaigns":`)
		buf.Write(data)
		buf.WriteByte('}')
	}
	s.store.mu.RUnlock()
	buf.WriteString("]\n")
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes()) // a write error means the client has gone
	return nil
}

// listingJSON returns c's listing at now as JSON, and whether it is active.
// A campaign whose runs are all completed lists the same until it runs
// again: its JSON is kept, so that listing many campaigns costs a copy of
// each rather than encoding each again. The caller holds the read lock.
func (st *store) listingJSON(c *campaign, now time.Time) ([]byte, bool) {
	if l := c.listed.Load(); l != nil && l.runs == len(c.runs) && !now.Before(l.latest) {
		return l.data, false
	}
	j, active := st.listing(c, now)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(j) // plain values always encode
	data := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if !active {
		// Kept while no run is added and the clock (which WithClock may
		// turn back) is past the last run.
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

// details appends to rows the results of run r of c for contacts.
func (st *store) details(c *campaign, r *run, contacts []phone, rows []detailRow) []detailRow {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, p := range contacts {
		a, after := outcome(st.seed, c.id, r.id, p.key())
		rows = append(rows, detailRow{string(p), a.String(), r.id, c.render(st.groups, p.key()), r.at.Add(after).Unix(),
			c.missing(st.groups, p.key())})
	}
	return rows
}

// eachDetail calls visit with each result row of the runs of c, in run
// order, then contact order. It renders a chunk at a time under the read
// lock and calls visit outside it, so a slow reader holds up no one.
func (st *store) eachDetail(c *campaign, runs []*run, visit func(*detailRow) error) error {
	const chunk = 1024
	rows := make([]detailRow, 0, chunk)
	for _, r := range runs {
		for lo := 0; lo < len(r.contacts); lo += chunk {
			rows = st.details(c, r, r.contacts[lo:min(lo+chunk, len(r.contacts))], rows[:0])
			for i := range rows {
				if err := visit(&rows[i]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// retrieveCampaign is POST /retrieve/campaign: the results of a campaign's
// completed runs, streamed as a JSON array or (format "csv") as CSV.
func (s *Simulator) retrieveCampaign(c *call) error {
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
		return badRequest(`format: %q is neither "json" nor "csv"`, req.Format)
	}
	now := s.now()
	s.store.mu.RLock()
	camp := s.store.campaigns[req.CampaignID]
	var runs []*run
	if camp != nil {
		for _, r := range camp.runs {
			if r.completed(now) {
				runs = append(runs, r)
			}
		}
	}
	s.store.mu.RUnlock()
	if camp == nil {
		return notFound("campaign %q not found", req.CampaignID)
	}
	// The answer has begun: errors from here on mean the client has gone.
	if req.Format == "csv" {
		c.w.Header().Set("Content-Type", "text/csv")
		c.w.WriteHeader(http.StatusOK)
		cw := csv.NewWriter(c.w)
		_ = cw.Write([]string{"number", "action", "runId", "message", "timestamp"})
		_ = s.store.eachDetail(camp, runs, func(d *detailRow) error {
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
	_ = s.store.eachDetail(camp, runs, func(d *detailRow) error {
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
