package chatinc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"sort"
	"time"
	"unsafe"

	"github.com/chatinc/chatinc-go/internal/wire"
)

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
func (d *CampaignDetail) UnmarshalJSON(data []byte) error { return unmarshalChecked(d, data) }

// decodeValid decodes a row from valid JSON: one pass, no map but
// Columns, and one allocation for all of the row's text. A row's names
// match exactly (a "Number" column is a column), as the row stream
// (wire.RowDecoder) matches them.
func (d *CampaignDetail) decodeValid(data []byte) error {
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
		if err := c.streamRead(ctx, "retrieve/campaign", b, s, whole); err != nil && !s.stopped {
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
	dec     wire.Decoder[CampaignDetail] // its rows decoded by DecodeItem
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
func (s *detailStream) DecodeItem(data []byte, d *CampaignDetail) error {
	if err := d.decodeValid(data); err != nil {
		return err
	}
	return s.charge(d, len(data))
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

func (s *detailStream) Item(d *CampaignDetail) error {
	s.n++
	if !s.yield(*d, nil) {
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
