package kit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	chatinc "github.com/chatinc/chatinc-go"
)

// GroupsBody is the 54-byte answer of retrieve/variable/groups.
var GroupsBody = []byte(`[{"id":"g1","name":"users","fields":["first_name"]}]` + "\n")

// PlainGroup is a baseline's decode target for a variable group.
type PlainGroup struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

// PlainResult is a baseline's decode target for a write's answer.
type PlainResult struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	ID      string `json:"id"`
}

// Contacts returns n contacts with distinct numbers in normal form.
func Contacts(n int) []chatinc.Contact {
	cs := make([]chatinc.Contact, n)
	for i := range cs {
		cs[i].Number = fmt.Sprintf("+1555%07d", i)
	}
	return cs
}

// Audience is the small write's audience: 10 contacts.
func Audience() chatinc.AudienceParams {
	return chatinc.AudienceParams{ID: "a", Name: "VIP", Description: "our best", Contacts: Contacts(10)}
}

// PlainAudience is the audience as a baseline writes it.
type PlainAudience struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Contacts    []chatinc.Contact `json:"contacts,omitempty"`
}

// PlainAddContacts is AddContactsToAudience's body as a baseline writes it.
type PlainAddContacts struct {
	ID       string            `json:"id"`
	Contacts []chatinc.Contact `json:"contacts"`
}

// PlainRow is a variable group row as a plain struct, its members in the
// order the SDK writes a row's: number, then the fields by name.
type PlainRow struct {
	Number    string `json:"number"`
	City      string `json:"city"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// PlainGroupParams is CreateVariableGroup's body as a baseline writes it.
type PlainGroupParams struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Fields      []string   `json:"fields"`
	Values      []PlainRow `json:"values,omitempty"`
}

// Group returns a variable group of n rows × 3 fields, as the SDK's params
// and as a baseline's plain struct holding the same values.
func Group(n int) (chatinc.VariableGroupParams, PlainGroupParams) {
	fields := []string{"first_name", "last_name", "city"}
	p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields, Values: make([]chatinc.Row, n)}
	plain := PlainGroupParams{ID: "g", Name: "users", Fields: fields, Values: make([]PlainRow, n)}
	for i := range n {
		r := PlainRow{fmt.Sprintf("+1555%07d", i), "Cape Town", "Name" + strconv.Itoa(i), "Doe"}
		plain.Values[i] = r
		p.Values[i] = chatinc.Row{Number: r.Number, Values: map[string]string{"first_name": r.FirstName, "last_name": r.LastName, "city": r.City}}
	}
	return p, plain
}

// DetailsRequest is the body of RetrieveCampaignDetails(ctx, "cmp").
var DetailsRequest = []byte(`{"campaignId":"cmp"}`)

// DetailsBody is a campaign's results: n rows, about 93 bytes each.
func DetailsBody(n int) []byte {
	var buf bytes.Buffer
	buf.Grow(n * 100)
	buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"number":"+1555%07d","action":"delivered","runId":"run_1","message":"Hi Ana","timestamp":%d}`, i, 1700000000+i)
	}
	buf.WriteString("]\n")
	return buf.Bytes()
}

// PlainDetail is a baseline's decode target for a result row.
type PlainDetail struct {
	Number    string `json:"number"`
	Action    string `json:"action"`
	RunID     string `json:"runId"`
	Message   string `json:"message"`
	Timestamp int64  `json:"timestamp"`
}

// Detail is the CampaignDetail the SDK yields for row d.
func (d PlainDetail) Detail() chatinc.CampaignDetail {
	return chatinc.CampaignDetail{Number: d.Number, Action: d.Action, Columns: map[string]string{
		"runId": d.RunID, "message": d.Message, "timestamp": strconv.FormatInt(d.Timestamp, 10)}}
}

// MillionRows is the size of the large results case (a hundredth in smoke
// mode).
func MillionRows() int { return Rows(1_000_000) }

// DetailsHandler answers with rows results (rows a multiple of 1,000;
// 93 MiB for 1M) written as they go, from a block of 1,000 rows repeated:
// the server holds 93 KiB, not 93 MiB, so that the heap of the process
// (and the collector's pace, which follows it) is the clients'.
func DetailsHandler(rows int) http.HandlerFunc {
	block := DetailsBody(1000)
	inner := block[1 : len(block)-2] // the rows, without "[" and "]\n"
	blocks := max(rows/1000, 1)
	size := 1 + blocks*(len(inner)+1) - 1 + 2
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = w.Write([]byte("["))
		for i := range blocks {
			if i > 0 {
				_, _ = w.Write([]byte(","))
			}
			if _, err := w.Write(inner); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte("]\n"))
	}
}

// Request is a request as a server received it.
type Request struct {
	Method, RequestURI, Host, Proto string
	ContentLength                   int64
	TransferEncoding                []string
	Header                          http.Header
	Body                            []byte
}

// Capture is a handler that keeps every request it receives, then answers
// as Handler(bodies) does.
type Capture struct {
	answer http.HandlerFunc
	mu     sync.Mutex
	got    []Request
}

// NewCapture returns a Capture answering with bodies (see Handler).
func NewCapture(bodies map[string][]byte) *Capture {
	return &Capture{answer: Handler(bodies)}
}

// ServeHTTP keeps r and answers it.
func (c *Capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.got = append(c.got, Request{Method: r.Method, RequestURI: r.RequestURI, Host: r.Host, Proto: r.Proto,
		ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding, Header: r.Header.Clone(), Body: body})
	c.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(nil))
	c.answer(w, r)
}

// Take returns the requests received since the last Take, and forgets them.
func (c *Capture) Take() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

// Diff returns what differs between requests a and b, exactly: method,
// URI, host, protocol, length, framing, every header and value (case
// included), and the body byte for byte; "" when they are the same.
func Diff(a, b Request) string {
	var d bytes.Buffer
	field := func(what, x, y string) {
		if x != y {
			fmt.Fprintf(&d, "%s: %q vs %q\n", what, x, y)
		}
	}
	field("method", a.Method, b.Method)
	field("URI", a.RequestURI, b.RequestURI)
	field("host", a.Host, b.Host)
	field("protocol", a.Proto, b.Proto)
	field("Content-Length", strconv.FormatInt(a.ContentLength, 10), strconv.FormatInt(b.ContentLength, 10))
	field("Transfer-Encoding", fmt.Sprint(a.TransferEncoding), fmt.Sprint(b.TransferEncoding))
	for k := range a.Header {
		field("header "+k, fmt.Sprintf("%q", a.Header[k]), fmt.Sprintf("%q", b.Header[k]))
	}
	for k := range b.Header {
		if _, ok := a.Header[k]; !ok {
			field("header "+k, "(absent)", fmt.Sprintf("%q", b.Header[k]))
		}
	}
	if !bytes.Equal(a.Body, b.Body) {
		i := 0
		for i < len(a.Body) && i < len(b.Body) && a.Body[i] == b.Body[i] {
			i++
		}
		fmt.Fprintf(&d, "body: %d vs %d bytes, first difference at byte %d: %q vs %q\n", len(a.Body), len(b.Body), i,
			excerpt(a.Body, i), excerpt(b.Body, i))
	}
	return d.String()
}

func excerpt(b []byte, i int) []byte {
	return b[max(i-20, 0):min(i+40, len(b))]
}
