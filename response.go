package chatinc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// bodyDecoder decodes a successful answer as it streams. decodeBody may be
// called once per attempt and starts afresh each time; committed reports
// whether part of the answer has reached the caller, after which the call is
// not retried.
type bodyDecoder interface {
	decodeBody(r io.Reader) error
	committed() bool
}

// bytesDecoder is a bodyDecoder that can also decode an answer already in
// memory, which for a small answer is cheaper than streaming it.
type bytesDecoder interface {
	decodeBytes(data []byte) error
}

// smallAnswer is the largest answer, by its Content-Length, read whole
// before it is decoded; it is at most headBytes, so that head holds all
// of it.
const smallAnswer = 4 << 10

// handleResponse is the request's response handler: it runs inside the
// retry loop, so that a read whose body is cut off can be retried. A 2xx
// answer to a call with a decoder is decoded as it streams; any other is
// read whole (readBody).
func (cl *call) handleResponse(resp *http.Response) error {
	if cl.waitErr != nil {
		return cl.waitErr // the context ended while waiting to retry this answer
	}
	if cl.dec == nil || resp.StatusCode >= 300 {
		return cl.readBody(resp)
	}
	cl.bodyRead = true
	// The decoder may run the caller's code (CampaignDetails yields rows
	// from here): should it panic, the body is closed all the same.
	done := false
	defer func() {
		if !done {
			resp.Body.Close()
		}
	}()
	limit := cl.c.maxResponse
	if cl.unbounded {
		limit = -1
	}
	md, small := cl.dec.(bytesDecoder)
	small = small && resp.ContentLength >= 0 && resp.ContentLength <= smallAnswer
	head := cl.br.head // an earlier attempt's, or nil
	switch {
	case small && int64(cap(head)) < resp.ContentLength+1:
		// Room for the whole answer, and to see its end: one
		// allocation of its own size.
		head = make([]byte, 0, resp.ContentLength+1)
	case head == nil:
		head = make([]byte, 0, 512)
	}
	cl.br = bodyReader{r: resp.Body, left: limit, head: head[:0]}
	br := &cl.br
	var err error
	if small {
		// A small answer is read whole, into head (kept for errors
		// anyway), and decoded from memory.
		_, rerr := io.Copy(io.Discard, br)
		switch {
		case rerr != nil || br.tooLarge:
		case br.total != resp.ContentLength:
			// net/http never hands over more or fewer bytes than the
			// length it read; a custom RoundTripper might, and head would
			// then not be the whole answer.
			br.err = fmt.Errorf("%w: the answer has %d bytes, its Content-Length says %d",
				io.ErrUnexpectedEOF, br.total, resp.ContentLength)
		default:
			err = md.decodeBytes(br.head)
		}
	} else {
		err = cl.dec.decodeBody(br)
	}
	if s, ok := cl.dec.(interface{ brokeOff() bool }); ok && s.brokeOff() {
		// The caller broke out of its loop: the rest of the answer is
		// not drained (a server that stalls would hold the loop open).
		br.closed = true
		_ = resp.Body.Close()
	}
	cl.bodyErr, cl.decodeErr = nil, nil
	switch {
	case br.tooLarge:
		cl.bodyErr = fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, limit)
	case br.err != nil:
		cl.bodyErr = br.err
		if !cl.dec.committed() {
			done = true
			return br.err // retried like a dropped connection
		}
	default:
		cl.decodeErr = err
	}
	done = true
	return nil
}

// decodeResult turns what handleResponse found into the call's result.
func (cl *call) decodeResult(resp *http.Response) error {
	if cl.bodyErr == nil && cl.decodeErr == nil {
		return nil
	}
	key := cl.c.key()
	if cl.bodyErr != nil {
		return cl.failed("reading response", cl.bodyErr)
	}
	// head is the whole body, or its start when more was read.
	cut := cl.br.total > int64(len(cl.br.head))
	var env *wire.EnvelopeError
	switch {
	case errors.As(cl.decodeErr, &env):
		return cl.apiError(resp, env.Message, true, []byte(key.redact(string(cl.br.head), cut)))
	case errors.Is(cl.decodeErr, wire.ErrTooManyItems), errors.Is(cl.decodeErr, wire.ErrRowTooLarge):
		// More items than the size cap allows for, or a row over it: too
		// large, as a body over the cap is.
		return fmt.Errorf("chatinc: %s %s: %w: %w", cl.req.Method, cl.path, ErrResponseTooLarge, cl.decodeErr)
	case cl.decodeErr != nil:
		return &DecodeError{StatusCode: resp.StatusCode, Method: cl.req.Method, Path: cl.path,
			Body: key.excerpt(cl.br.head, cut), Err: key.scrub(cl.decodeErr)}
	}
	return nil
}

// bodyReader reads a response body for a decoder: it keeps the first bytes
// (for errors), records a read error, and ends with errTooLarge past left
// bytes (left < 0: no limit).
type bodyReader struct {
	r        io.Reader
	left     int64
	head     []byte
	err      error
	tooLarge bool
	eof      bool
	closed   bool  // closed unread, by a caller that stopped
	total    int64 // bytes read
}

var errTooLarge = errors.New("response too large")

// headBytes is how much of a decoded body is kept for an error's Body.
const headBytes = maxErrorBody + 1024

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left >= 0 && int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.total += int64(n)
	if len(b.head) < headBytes {
		b.head = append(b.head, p[:min(n, headBytes-len(b.head))]...)
	}
	if b.left >= 0 {
		if b.left -= int64(n); b.left < 0 {
			b.tooLarge, b.err = true, errTooLarge
			return 0, b.err
		}
	}
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		b.err = err
	}
	return n, err
}

// trustedSize is the largest Content-Length readAll allocates before the
// bytes arrive.
const trustedSize = 64 << 10

// readBody reads the whole answer, up to the client's limit.
func (cl *call) readBody(resp *http.Response) error {
	cl.bodyRead = true
	limit := cl.c.maxResponse
	if resp.StatusCode >= 300 {
		limit = maxErrorBody
	}
	buf, err := readAll(resp.Body, limit+1, resp.ContentLength)
	switch {
	case err != nil:
		cl.bodyErr = err
	case int64(len(buf)) > limit && resp.StatusCode < 300:
		cl.bodyErr = fmt.Errorf("%w (%d bytes)", ErrResponseTooLarge, limit)
	case int64(len(buf)) > limit:
		buf = buf[:limit]
		cl.bodyCut = true
	}
	cl.body = buf
	if cl.bodyErr != nil && !errors.Is(cl.bodyErr, ErrResponseTooLarge) {
		return cl.bodyErr
	}
	return nil
}

// readAll reads r to its end, or to max bytes. size, the Content-Length
// (-1: unknown), sizes the buffer of a small answer (up to trustedSize):
// it costs one allocation of its own size, not io.ReadAll's 512 bytes and
// more. A larger claim is not allocated up front: the buffer grows with
// the bytes that arrive.
func readAll(r io.Reader, max, size int64) ([]byte, error) {
	if size < 0 || size >= max {
		return io.ReadAll(io.LimitReader(r, max))
	}
	b := make([]byte, 0, min(size, trustedSize)+1) // room to see the end without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return b, err
		case int64(len(b)) >= max:
			return b[:max], nil
		case len(b) == cap(b):
			b = append(b, 0)[:len(b)]
		}
	}
}

// checkResponse turns an error answer, or a 3xx that was not followed,
// into an *APIError. cut says that
// body is the start of a longer answer.
func (cl *call) checkResponse(resp *http.Response, body []byte, cut bool) error {
	msg, isErr := wire.ErrorMessage(body)
	if resp.StatusCode < 300 && !isErr {
		return nil
	}
	// The key is redacted before any text is cut, so that no part of it
	// survives a cut, and from the message (in apiError) once its escapes
	// (JSON, HTML) are undone.
	text := []byte(cl.c.key().redact(string(body), cut))
	if !isErr {
		msg = wire.ErrorText(text, 512)
	}
	return cl.apiError(resp, msg, isErr, text)
}

// apiError is the *APIError of an answer with message msg (isErr: the body
// said "status":"error") and text, its body (or the start of it) with the
// key redacted.
func (cl *call) apiError(resp *http.Response, msg string, isErr bool, text []byte) error {
	key := cl.c.key()
	switch {
	case msg != "":
	case isErr:
		msg = "the API reported an error without a message"
	case resp.StatusCode < 400:
		msg = "a redirect answer the SDK does not follow"
	default:
		msg = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusNotFound && !hasVersionPrefix(cl.c.baseURL.Path) {
		msg += fmt.Sprintf(" (the base URL %s has no version prefix: did you mean %s?)",
			strings.TrimSuffix(cl.c.baseURL.Redacted(), "/"), strings.TrimSuffix(cl.c.baseURL.JoinPath("v1").Redacted(), "/"))
	}
	e := &APIError{
		StatusCode: resp.StatusCode,
		Message:    key.redact(msg, false),
		Method:     cl.req.Method,
		Path:       cl.path,
		Body:       key.excerpt(text, false),
		Header:     key.header(resp.Header),
	}
	if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// hasVersionPrefix reports whether a base URL's path has a segment such as
// "v1": without one, every endpoint is missing and the API answers 404.
func hasVersionPrefix(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if len(seg) >= 2 && seg[0] == 'v' && strings.Trim(seg[1:], "0123456789") == "" {
			return true
		}
	}
	return false
}

// stream copies a successful answer to w. A JSON body that says
// "status":"error" is an *APIError, not data. An answer without length
// framing (HTTP/1.0, or Connection: close without Content-Length or chunked
// encoding) ends when the connection does, so a cut one looks complete: it
// must end with a line break, as a whole CSV export does, or the call
// fails with io.ErrUnexpectedEOF.
func (cl *call) stream(resp *http.Response, w io.Writer) (int64, error) {
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	head, err := br.Peek(maxErrorBody)
	if err != nil && err != io.EOF {
		// bufio returns a read error once: dropped here, the copy below
		// would see only the io.EOF after it, and call a cut answer whole.
		return 0, cl.failed("reading response", err)
	}
	if t := bytes.TrimSpace(head); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		// A 2xx: checkResponse finds an error only in the envelope.
		if err := cl.checkResponse(resp, head, len(head) == maxErrorBody); err != nil {
			return 0, err
		}
	}
	lw := &lastByteWriter{w: w}
	n, err := io.Copy(lw, br)
	if err != nil {
		return n, cl.failed("copying response", err)
	}
	if unframed(resp) && (n == 0 || lw.last != '\n') {
		return n, fmt.Errorf("chatinc: %s %s: the export, sent without a length, ended mid-row after %d bytes: %w",
			cl.req.Method, cl.path, n, io.ErrUnexpectedEOF)
	}
	return n, nil
}

// unframed reports whether an answer's body came over HTTP/1.x and ends
// only when its connection closes, so that a cut body cannot be told from a
// whole one. (A body net/http decompressed has gzip's own end check; an
// answer made by a custom RoundTripper, ProtoMajor 0, has no wire framing
// to judge.)
func unframed(resp *http.Response) bool {
	return resp.ProtoMajor == 1 && resp.ContentLength < 0 && len(resp.TransferEncoding) == 0 && !resp.Uncompressed
}

// lastByteWriter writes to w and remembers the last byte written.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

// maxItems bounds how many items of T a list answer of at most limit bytes
// may hold, so that what it decodes to stays within a small multiple of
// limit: each item counts for its size, and at least 32 bytes ("{}," is
// three bytes, a Campaign several hundred).
func maxItems[T any](limit int64) int {
	var zero T
	n := limit / int64(max(32, unsafe.Sizeof(zero)))
	return int(max(1, min(n, math.MaxInt32)))
}

// itemBudget bounds what a list answer decodes to by the bytes it came
// in, whatever the size cap: each item is charged an estimate of what
// holding it costs (its struct, 9/4 times over for the slice that grows to
// hold it, and twice its bytes for its text) against memoryPerByte times
// the bytes of the items so far, plus budgetSlack; past that, the answer
// is refused (wire.ErrTooManyItems, an ErrResponseTooLarge), so that a few
// MiB of [{},{},...] cannot become hundreds of MiB.
type itemBudget struct{ cost, bytes int64 }

const (
	memoryPerByte = 12 // with the decoder's own buffers, within 20 times (TestListMemoryTiedToBytes)
	budgetSlack   = 1 << 20
)

// charge charges an item of n bytes that decodes to a struct of size
// bytes, and extra bytes besides.
func (b *itemBudget) charge(size uintptr, n, extra int) error {
	b.bytes += int64(n) + 1 // and its comma
	b.cost += int64(size)*9/4 + 2*int64(n) + int64(extra)
	if b.cost > memoryPerByte*b.bytes+budgetSlack {
		return fmt.Errorf("%w: %d bytes of items would take about %d bytes of memory", wire.ErrTooManyItems, b.bytes, b.cost)
	}
	return nil
}

// listOf decodes a list answer for list.
type listOf[T any] struct {
	key    string
	max    int
	budget itemBudget
	wire.Collect[T]
	dec wire.Decoder[T]
}

// Begin discards the items given so far (a better list came later in an
// envelope, or an answer walked in memory is decoded again as it streams,
// wire.Decoder.DecodeBytes) and what they were charged: an item counts
// against the budget once, as the budget counts the bytes of the items the
// list holds.
func (l *listOf[T]) Begin(list bool) error {
	l.budget = itemBudget{}
	return l.Collect.Begin(list)
}

func (l *listOf[T]) decodeBody(r io.Reader) error {
	l.Items, l.budget = nil, itemBudget{}
	return l.dec.Decode(r, l.key, l.max, l)
}

// DecodeItem decodes an item the decoder has checked, by its decodeValid
// when it has one: one pass over the bytes, no second check.
func (l *listOf[T]) DecodeItem(data []byte, v *T) error {
	if err := l.budget.charge(unsafe.Sizeof(*v), len(data), 0); err != nil {
		return err
	}
	if d, ok := any(v).(validDecoder); ok {
		return d.decodeValid(data)
	}
	return json.Unmarshal(data, v)
}

// validDecoder is an answer type that decodes itself from JSON known to be
// valid (wire.Fields), in one pass; its UnmarshalJSON checks the JSON and
// then calls decodeValid.
type validDecoder interface {
	decodeValid(data []byte) error
}

// unmarshalChecked is the UnmarshalJSON of a validDecoder: invalid JSON is
// encoding/json's syntax error, valid JSON is decoded in one pass.
func unmarshalChecked(v validDecoder, data []byte) error {
	if !json.Valid(data) {
		return json.Unmarshal(data, new(json.RawMessage))
	}
	return v.decodeValid(data)
}

func (l *listOf[T]) decodeBytes(data []byte) error {
	l.Items, l.budget = nil, itemBudget{}
	return l.dec.DecodeBytes(data, l.key, l.max, l)
}

func (l *listOf[T]) committed() bool { return false }

// Result is the API's answer to a create, add, upload or run call.
type Result struct {
	// Status is the API's status word, "success" on success.
	Status string
	// Message is the API's message, if any.
	Message string
	// ID is the audience or variable group ID the API echoes, if any.
	ID string
	// CampaignID is the campaign's ID, when the answer names one (as
	// CreateCampaign's does): pass it to RunCampaign and
	// RetrieveCampaignDetails.
	CampaignID string
	// RunID identifies a campaign run, when the answer names one.
	RunID string
	// Raw is the answer's body as received, for fields this type does not
	// name; should it echo the API key, the key is replaced by
	// "[redacted]", as in the other fields. fmt prints it as its JSON text.
	Raw json.RawMessage
}

// Format implements fmt.Formatter: a Result prints as fmt prints a struct,
// but with Raw as the JSON text it holds instead of a list of byte values.
// %v and %s print {success   cmp_1  {"status":"success",...}}, %+v names
// the fields, and %#v is Go syntax, Raw a json.RawMessage of a string. A
// *Result prints the same.
func (r Result) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		raw := "nil"
		if r.Raw != nil {
			raw = strconv.Quote(string(r.Raw))
			if strconv.CanBackquote(string(r.Raw)) {
				raw = "`" + string(r.Raw) + "`"
			}
		}
		fmt.Fprintf(f, "chatinc.Result{Status:%q, Message:%q, ID:%q, CampaignID:%q, RunID:%q, Raw:json.RawMessage(%s)}",
			r.Status, r.Message, r.ID, r.CampaignID, r.RunID, raw)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Status:%s Message:%s ID:%s CampaignID:%s RunID:%s Raw:%s}",
			r.Status, r.Message, r.ID, r.CampaignID, r.RunID, r.Raw)
	default:
		fmt.Fprintf(f, "{%s %s %s %s %s %s}", r.Status, r.Message, r.ID, r.CampaignID, r.RunID, r.Raw)
	}
}

// removeKey replaces the API key in what r holds, should the answer have
// echoed it (a gateway that reflects the request's headers, say): a Result
// is printed and logged, and the key is in neither, as it is in no error.
func (r *Result) removeKey(k *credentials) {
	for _, s := range []*string{&r.Status, &r.Message, &r.ID, &r.CampaignID, &r.RunID} {
		*s = k.redact(*s, false)
	}
	// A view of Raw, not a copy: mayHold keeps no reference, so a call
	// whose answer holds no key allocates nothing here.
	if k.mayHold(unsafe.String(unsafe.SliceData(r.Raw), len(r.Raw))) {
		r.Raw = json.RawMessage(k.redact(string(r.Raw), false))
	}
}

// UnmarshalJSON decodes an answer object, or the first element of an array
// of them, keeping a copy of the whole body in Raw.
func (r *Result) UnmarshalJSON(data []byte) error { return unmarshalChecked(r, data) }

func (r *Result) decodeValid(data []byte) error {
	*r = Result{}
	obj := wire.FirstValid(data)
	if obj == nil { // an empty array
		obj = []byte("null")
	}
	err := wire.Fields(obj, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "status"):
			r.Status, err = wire.Text(v)
		case wire.Field(name, "message"):
			r.Message, err = wire.Text(v)
		case wire.Field(name, "id"):
			r.ID, err = wire.Text(v)
		case wire.Field(name, "campaignId"):
			r.CampaignID, err = wire.Text(v)
		case wire.Field(name, "runId"):
			r.RunID, err = wire.Text(v)
		}
		return err
	})
	if err != nil {
		*r = Result{}
		return err
	}
	r.Raw = append(json.RawMessage(nil), data...)
	return nil
}
