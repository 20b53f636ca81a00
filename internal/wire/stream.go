package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrTooManyItems reports a list answer with more items than the caller
// allows (see Decoder.MaxItems).
var ErrTooManyItems = errors.New("too many items in the list")

// EnvelopeError is what Decode returns for an answer that says
// {"status":"error"} (at its top level, or in the first element of a
// top-level array): the API reported a failure.
type EnvelopeError struct {
	// Message is the envelope's "message" (or else "error") field as text;
	// "" when it has none.
	Message string
}

func (e *EnvelopeError) Error() string {
	if e.Message == "" {
		return "the API reported an error"
	}
	return "the API reported an error: " + e.Message
}

// Sink receives the items of a list as Decode finds them.
type Sink[T any] interface {
	// Begin is called when a list is found inside an envelope object: the
	// items given so far, if any, are to be discarded (a better candidate
	// for the list came later in the answer). list is false when the list
	// found is null: no list at all. An error stops decoding.
	Begin(list bool) error
	// Item is called with each item, decoded in place; the pointer is
	// reused for the next item. An error stops decoding and is returned.
	Item(*T) error
}

// Decode reads one answer from r in a single pass and gives the items of the
// list it holds to sink, one at a time as they stream. It accepts:
//   - a bare array: [{...}, {...}];
//   - an envelope object whose field named key, or whose one array-valued
//     field, holds the list: {"status":"success","audiences":[...]};
//   - an array of envelopes, each holding one object or an array under key:
//     [{"status":"success","campaigns":{...}}] (how retrieve/campaigns answers);
//   - an envelope holding one object under key: {"campaigns":{...}};
//   - an empty body or null, or an envelope with only a status and a
//     message ({"status":"success"}): no items.
//
// Of several array fields, one named "data", "items" or "results" (the
// first met) is the list. Only one item is held at a time, plus, for an envelope
// whose list is under key, the bytes of other array fields met before it.
//
// A body that says {"status":"error"} (at its top level, or in its first
// element) returns an *EnvelopeError once the whole body has been read and
// found to be JSON; a body that is not JSON returns the syntax error. At
// most maxItems items are accepted (0: no limit); one more is
// ErrTooManyItems.
func Decode[T any](r io.Reader, key string, maxItems int, sink Sink[T]) error {
	var d Decoder[T]
	return d.Decode(r, key, maxItems, sink)
}

// Decode is the package's Decode, with d's storage: a caller that holds a
// Decoder in a value it allocates anyway saves an allocation per answer.
func (d *Decoder[T]) Decode(r io.Reader, key string, maxItems int, sink Sink[T]) error {
	src := d.r
	if src == nil {
		src = new(source) // kept from one Decode to the next
	}
	d.reset(key, maxItems, sink)
	*src = source{r: r}
	d.r = src
	if empty, err := d.r.peek(); err != nil || empty {
		return err
	}
	dec := json.NewDecoder(d.r)
	d.dec = dec
	d.slot.d = d
	if err := d.top(); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("unexpected end of JSON input: %w", err)
		}
		return err
	}
	if err := d.end(); err != nil {
		return err
	}
	if d.envErr != nil {
		return d.envErr
	}
	return nil
}

// reset starts d afresh for an answer.
func (d *Decoder[T]) reset(key string, maxItems int, sink Sink[T]) {
	*d = Decoder[T]{key: key, max: maxItems, sink: sink}
	d.itemDec, _ = sink.(ItemDecoder[T])
}

// DecodeBytes is Decode over an answer already in memory, with d's storage.
// The common answer, a top-level array, is walked in place in one pass,
// each element checked (validEnd) and then decoded, without a stream
// decoder. Any other answer is streamed from memory, as Decode would; so is
// an array found not to be valid JSON part way, from its start again, after
// sink.Begin(true) has discarded the items given so far: for the same
// result and the same errors as Decode.
func (d *Decoder[T]) DecodeBytes(data []byte, key string, maxItems int, sink Sink[T]) error {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return d.Decode(bytes.NewReader(data), key, maxItems, sink)
	}
	d.reset(key, maxItems, sink)
	d.slot.d = d
	d.first = true
	// As topArray: the array is level 1 of the document.
	if i = skipSpace(data, i+1); i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			end, ok := validEnd(data, i, 1)
			if !ok {
				return d.again(data, key, maxItems, sink)
			}
			if err := d.slot.UnmarshalJSON(data[i:end]); err != nil {
				return err
			}
			if i = skipSpace(data, end); i == len(data) {
				return d.again(data, key, maxItems, sink)
			}
			if data[i] == ']' {
				i++
				break
			}
			if data[i] != ',' {
				return d.again(data, key, maxItems, sink)
			}
			i = skipSpace(data, i+1)
		}
	}
	if skipSpace(data, i) != len(data) {
		return d.again(data, key, maxItems, sink)
	}
	if d.envErr != nil {
		return d.envErr
	}
	return nil
}

// again decodes an answer DecodeBytes found not to be valid JSON as it
// streams, from its start, for Decode's own error.
func (d *Decoder[T]) again(data []byte, key string, maxItems int, sink Sink[T]) error {
	if err := sink.Begin(true); err != nil {
		return err
	}
	return d.Decode(bytes.NewReader(data), key, maxItems, sink)
}

// end checks that nothing but white space follows the answer, as for
// json.Unmarshal: in the decoder's buffer, then in the reader up to its end.
// It reads the reader itself, in the Decoder's own buffer, rather than have
// the json.Decoder grow its buffer to look for an end that is already there.
func (d *Decoder[T]) end() error {
	rest := d.dec.Buffered()
	for {
		n, err := rest.Read(d.r.buf[:])
		for _, c := range d.r.buf[:n] {
			switch c {
			case ' ', '\t', '\r', '\n':
			default:
				return fmt.Errorf("invalid character %q after the answer", c)
			}
		}
		switch {
		case err == io.EOF && rest != io.Reader(d.r):
			rest = d.r
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// ItemDecoder is a Sink that decodes items itself, from JSON that the
// Decoder has checked already; without one, an item is decoded by its
// UnmarshalJSON or by encoding/json.
type ItemDecoder[T any] interface {
	DecodeItem(data []byte, v *T) error
}

// Collect is a Sink that keeps the items in a slice.
type Collect[T any] struct{ Items []T }

// Begin starts the list afresh: empty, or nil when there is no list.
func (c *Collect[T]) Begin(list bool) error {
	switch {
	case !list:
		c.Items = nil
	case c.Items == nil:
		c.Items = []T{}
	default:
		c.Items = c.Items[:0]
	}
	return nil
}

// Item appends a copy of the item.
func (c *Collect[T]) Item(v *T) error {
	c.Items = append(c.Items, *v)
	return nil
}

// source is the reader below a Decode: it gives back the bytes peek read,
// and records the first error of the reader other than EOF.
type source struct {
	r    io.Reader
	buf  [64]byte
	head []byte
	err  error
}

// peek reads the start of the answer up to its first byte that is not
// white space, reporting an empty body. An answer that cannot be an array,
// an object or null is an error naming what it is.
func (s *source) peek() (empty bool, err error) {
	for {
		n, err := io.ReadAtLeast(s.r, s.buf[:], 1)
		if n == 0 {
			if err == io.EOF {
				return true, nil
			}
			s.err = err
			return false, err
		}
		b := bytes.TrimLeft(s.buf[:n], " \t\r\n")
		if len(b) == 0 {
			continue
		}
		if c := b[0]; c != '[' && c != '{' && c != 'n' {
			return false, fmt.Errorf("expected a JSON array or object, got %s", describe(b))
		}
		s.head = b
		return false, nil
	}
}

func (s *source) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// Decoder holds the state of one Decode; its zero value is ready to use.
type Decoder[T any] struct {
	dec *json.Decoder
	// r is the stream's source, allocated by the first Decode: an answer
	// walked in memory (DecodeBytes) needs neither it nor dec.
	r     *source
	slot  elemSlot[T]
	first bool // the next element of the top-level array is its first
	key   string
	max   int
	n     int // items given since the last Begin
	sink  Sink[T]
	item  T
	// itemDec is the sink's own item decoder, if it has one.
	itemDec  ItemDecoder[T]
	itemSlot itemSlot[T]
	envErr   *EnvelopeError
	// candErr is the error of an item of the current candidate list
	// (object), reported if it is the list in the end.
	candErr error
}

// skip is a JSON value decoded into nothing.
type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

var skipper skip

// top decodes the answer's one top-level value.
func (d *Decoder[T]) top() error {
	tok, err := d.dec.Token()
	if err == io.EOF {
		return nil // an empty body: no items
	}
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		return d.topArray()
	case json.Delim('{'):
		return d.object()
	case nil:
		return nil
	}
	return fmt.Errorf("expected a JSON array or object, got %s", describeToken(tok))
}

// topArray decodes the elements of a top-level array: items, or envelopes
// holding them under key. The first element may be an error envelope.
// Each element is decoded by elemSlot straight from the decoder's buffer.
func (d *Decoder[T]) topArray() error {
	d.first = true
	for d.dec.More() {
		if err := d.dec.Decode(&d.slot); err != nil {
			return err
		}
	}
	_, err := d.dec.Token() // ']'
	return err
}

// elemSlot decodes one element of a top-level array, as json.Decoder hands
// it over (valid JSON, in the decoder's own buffer).
type elemSlot[T any] struct{ d *Decoder[T] }

func (e *elemSlot[T]) UnmarshalJSON(data []byte) error {
	d := e.d
	if d.envErr != nil {
		return nil // an error envelope came first: the rest is only checked
	}
	if d.first {
		d.first = false
		if maybeEnvelope(data) {
			if msg, isErr := envelopeMessage(data); isErr {
				d.envErr = &EnvelopeError{Message: msg}
				return nil
			}
		}
	}
	if d.key != "" {
		v, found, err := fieldOf(data, d.key)
		if err != nil {
			return err
		}
		if found {
			return d.underKey(v, false)
		}
	}
	if err := d.count(); err != nil {
		return err
	}
	var zero T
	d.item = zero
	if err := d.decodeItem(data); err != nil {
		return d.itemErr(err)
	}
	return d.sink.Item(&d.item)
}

// maybeEnvelope reports whether an element may say "status":"error": it
// holds "error" in some case, or an escape that could spell it.
func maybeEnvelope(data []byte) bool {
	for i := 0; i+5 <= len(data); i++ {
		switch data[i] {
		case '\\':
			return true
		case 'e', 'E':
			if bytes.EqualFold(data[i:i+5], []byte("error")) {
				return true
			}
		}
	}
	return false
}

// The kinds of candidate for the list inside an envelope object, worst
// first.
const (
	noList = iota
	soleList
	fallbackList // "data", "items", "results": the first met
	keyList
)

// object decodes a top-level envelope object, its opening brace read. The
// list is the field named key; else its one array-valued field; else, of
// several, a conventional one (fallbackKeys). A candidate is streamed when
// met, and replaced (Sink.Begin) when a better one comes later; an item of a
// candidate that does not decode is an error only if that candidate is the
// list in the end (an array of column names beside the results, say).
func (d *Decoder[T]) object() error {
	var (
		best      = noList
		plain     []string // names of array fields that are neither key nor fallback
		status    json.RawMessage
		exactStat json.RawMessage
		message   json.RawMessage
		errField  json.RawMessage
		bare      = true // only "status" and "message" fields
	)
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if name != "status" && name != "message" {
			bare = false
		}
		switch {
		case d.key != "" && name == d.key:
			var raw json.RawMessage
			if err := d.dec.Decode(&raw); err != nil {
				return err
			}
			if best == keyList {
				continue // a name given twice: the first one holds
			}
			best, d.candErr = keyList, nil
			if err := d.underKey(raw, true); err != nil {
				return err
			}
			continue
		case strings.EqualFold(name, "status"), strings.EqualFold(name, "message"), strings.EqualFold(name, "error"):
			var raw json.RawMessage
			if err := d.dec.Decode(&raw); err != nil {
				return err
			}
			switch {
			case strings.EqualFold(name, "status"):
				status = raw
				if name == "status" {
					exactStat = raw
				}
			case strings.EqualFold(name, "message"):
				message = raw
			default:
				errField = raw
			}
			continue
		}
		tok, err = d.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			if err := d.skipObject(); err != nil {
				return err
			}
			continue
		case json.Delim('['):
		default:
			continue // a scalar
		}
		fallback := slices.Contains(fallbackKeys, name)
		take := false
		switch {
		case best == keyList:
		case fallback:
			take = best < fallbackList
		default:
			if !slices.Contains(plain, name) {
				plain = append(plain, name)
			}
			take = best == noList
		}
		if !take {
			if err := d.skipArray(); err != nil {
				return err
			}
			continue
		}
		best, d.candErr = soleList, nil
		if fallback {
			best = fallbackList
		}
		d.n = 0
		if err := d.sink.Begin(true); err != nil {
			return err
		}
		if err := d.candidate(); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil { // '}'
		return err
	}
	if msg, isErr := envelopeOf(status, message, errField); isErr {
		d.envErr = &EnvelopeError{Message: msg}
		return nil
	}
	switch {
	case best == soleList && len(plain) > 1:
		names := slices.Clone(plain)
		slices.Sort(names)
		return fmt.Errorf("%w: several array fields (%s)", ErrNoList, strings.Join(names, ", "))
	case best == noList:
		var st String
		if bare && exactStat != nil && st.UnmarshalJSON(exactStat) == nil && strings.EqualFold(string(st), "success") {
			return nil // {"status":"success"} and nothing else: no items
		}
		return ErrNoList
	}
	return d.candErr
}

// candidate decodes the items of an array field whose '[' has been read. An
// item that does not decode is kept in candErr, and the rest skipped.
func (d *Decoder[T]) candidate() error {
	for d.dec.More() {
		if d.candErr != nil {
			if err := d.dec.Decode(&skipper); err != nil {
				return err
			}
			continue
		}
		if err := d.count(); err != nil {
			return err
		}
		var zero T
		d.item = zero
		if err := d.dec.Decode(d.slotFor()); err != nil {
			if err = d.itemErr(err); d.isSyntax(err) {
				return err
			}
			d.candErr = err
			continue
		}
		if err := d.sink.Item(&d.item); err != nil {
			return err
		}
	}
	_, err := d.dec.Token() // ']'
	return err
}

// skipObject reads the rest of an object whose '{' has been read.
func (d *Decoder[T]) skipObject() error {
	for d.dec.More() {
		if _, err := d.dec.Token(); err != nil { // a name
			return err
		}
		if err := d.dec.Decode(&skipper); err != nil {
			return err
		}
	}
	_, err := d.dec.Token()
	return err
}

// skipArray reads the rest of an array whose '[' has been read.
func (d *Decoder[T]) skipArray() error {
	for d.dec.More() {
		if err := d.dec.Decode(&skipper); err != nil {
			return err
		}
	}
	_, err := d.dec.Token()
	return err
}

// underKey gives the items a field named key holds: an array's elements or
// one object. begin says whether the list starts afresh (in an envelope
// object) or continues (an array of envelopes).
func (d *Decoder[T]) underKey(v json.RawMessage, begin bool) error {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || bytes.Equal(v, []byte("null")):
		if begin {
			d.n = 0
			return d.sink.Begin(false)
		}
		return nil
	case v[0] == '[':
		if begin {
			d.n = 0
			if err := d.sink.Begin(true); err != nil {
				return err
			}
		}
		sub := json.NewDecoder(bytes.NewReader(v))
		if _, err := sub.Token(); err != nil {
			return err
		}
		for sub.More() {
			if err := d.next(sub); err != nil {
				return err
			}
		}
		return nil
	case v[0] == '{':
		if begin {
			d.n = 0
			if err := d.sink.Begin(true); err != nil {
				return err
			}
		}
		return d.nextRaw(v)
	default:
		return fmt.Errorf("field %q: expected an array or object, got %s", d.key, describe(v))
	}
}

// next decodes one item from dec straight into the reused slot.
func (d *Decoder[T]) next(dec *json.Decoder) error {
	if err := d.count(); err != nil {
		return err
	}
	var zero T
	d.item = zero
	if err := dec.Decode(d.slotFor()); err != nil {
		return d.itemErr(err)
	}
	return d.sink.Item(&d.item)
}

// nextRaw decodes one item from its bytes.
func (d *Decoder[T]) nextRaw(raw json.RawMessage) error {
	if err := d.count(); err != nil {
		return err
	}
	var zero T
	d.item = zero
	if err := d.decodeItem(raw); err != nil {
		return d.itemErr(err)
	}
	return d.sink.Item(&d.item)
}

// decodeItem decodes data, which a json.Decoder has checked, into d.item:
// by the sink's ItemDecoder, or straight through the item's UnmarshalJSON
// when it has one, as encoding/json would call it, without checking the
// bytes again.
func (d *Decoder[T]) decodeItem(data []byte) error {
	if d.itemDec != nil {
		return d.itemDec.DecodeItem(data, &d.item)
	}
	if u, ok := any(&d.item).(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	return json.Unmarshal(data, &d.item)
}

// slotFor is what a json.Decoder decodes the next item into: d.item, or,
// when the sink decodes items itself, a slot that hands it their bytes.
func (d *Decoder[T]) slotFor() any {
	if d.itemDec == nil {
		return &d.item
	}
	d.itemSlot.d = d
	return &d.itemSlot
}

// itemSlot gives the bytes of one item, as a json.Decoder hands them over
// (checked), to the Decoder's decodeItem.
type itemSlot[T any] struct{ d *Decoder[T] }

func (s *itemSlot[T]) UnmarshalJSON(data []byte) error { return s.d.decodeItem(data) }

func (d *Decoder[T]) count() error {
	d.n++
	if d.max > 0 && d.n > d.max {
		return fmt.Errorf("%w (more than %d)", ErrTooManyItems, d.max)
	}
	return nil
}

// itemErr names the item a decoding error is about. A syntax error (or a
// read error) is the answer's, not the item's, and is returned as it is.
func (d *Decoder[T]) itemErr(err error) error {
	if d.isSyntax(err) {
		return err
	}
	return fmt.Errorf("item %d: %w", d.n-1, err)
}

// isSyntax reports whether err is about the answer as a whole: a syntax
// error, an end before the end, or an error of the reader below.
func (d *Decoder[T]) isSyntax(err error) bool {
	var syn *json.SyntaxError
	return errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || (d.r != nil && d.r.err != nil)
}

// fieldOf returns the value of the field named key of a JSON object (the
// first, when it is given twice). raw is valid JSON, from a json.Decoder.
// found is false when raw is not an object or has no such field.
func fieldOf(raw json.RawMessage, key string) (v json.RawMessage, found bool, err error) {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return nil, false, nil
	}
	// Unless a name is escaped, a field named key appears in the bytes.
	if bytes.IndexByte(raw, '\\') < 0 && !containsQuoted(raw, key) {
		return nil, false, nil
	}
	err = Fields(raw, func(name, value []byte) error {
		if !found && string(name) == key {
			v, found = value, true
		}
		return nil
	})
	return v, found, err
}

// containsQuoted reports whether data holds key between double quotes.
func containsQuoted(data []byte, key string) bool {
	for i := 0; i+len(key)+2 <= len(data); i++ {
		if data[i] == '"' && data[i+len(key)+1] == '"' && string(data[i+1:i+1+len(key)]) == key {
			return true
		}
	}
	return false
}

// envelopeMessage reports whether one JSON object says {"status":"error"},
// and returns its message. Field names match as encoding/json matches them
// (case-insensitively), and each field is decoded on its own, so that a
// message of an unexpected shape does not hide the status.
func envelopeMessage(obj []byte) (msg string, isError bool) {
	obj = bytes.TrimSpace(obj)
	if len(obj) == 0 || obj[0] != '{' {
		return "", false
	}
	var env struct {
		Status  json.RawMessage `json:"status"`
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(obj, &env) != nil {
		return "", false
	}
	return envelopeOf(env.Status, env.Message, env.Error)
}

// envelopeOf applies the error-envelope rule to the raw status, message and
// error fields of an object.
func envelopeOf(status, message, errField json.RawMessage) (msg string, isError bool) {
	if status == nil {
		return "", false
	}
	var st String
	if st.UnmarshalJSON(status) != nil || !strings.EqualFold(string(st), "error") {
		return "", false
	}
	if msg := text(message); msg != "" {
		return msg, true
	}
	return text(errField), true
}

// describeToken names the kind of a top-level JSON scalar.
func describeToken(tok json.Token) string {
	switch tok.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	}
	return fmt.Sprint(tok)
}
