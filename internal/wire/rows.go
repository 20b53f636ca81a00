package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TextRow is one row of a result table as RowDecoder decodes it.
type TextRow struct {
	// Lifted holds the values of the two fields RowDecoder.Decode is told
	// to lift out of the row ("" when a row lacks one).
	Lifted [2]string
	// Columns holds every other field, as ObjectText gives it; nil when
	// there is none.
	Columns map[string]string
	// Bytes is the size of the row's JSON.
	Bytes int
}

// RowSink receives what RowDecoder.Decode finds.
type RowSink interface {
	// Row is called with each row in turn. The pointer is reused for the
	// next row; the map and the strings it holds are the sink's to keep.
	// An error stops decoding and is returned.
	Row(*TextRow) error
	// Other decodes an answer that is not a top-level array (an envelope
	// object, null, an empty body, something that is not JSON): r gives
	// the whole answer from its start, held as a whole to MaxRow bytes,
	// if set (ErrRowTooLarge).
	Other(r io.Reader) error
}

// maxDepth is encoding/json's limit on nesting, counted from the top of
// the document: the array of rows is level 1, a row level 2.
const maxDepth = 10000

// ErrRowTooLarge is the error of an element of the top-level array larger
// than RowDecoder.MaxRow.
var ErrRowTooLarge = errors.New("a row larger than the size limit")

// rowBufSize is the size of a RowDecoder's buffer; it grows only for a row
// larger than it.
const rowBufSize = 64 << 10

// RowDecoder decodes an answer that is a JSON array of objects of text
// columns (a result table, of any length) in one pass over the stream, as
// Decoder with a Sink[T] would, with T decoded by ObjectText: each row's
// text in one allocation (names of columns interned: no allocation for the
// names that repeat on every row), a map per row for the columns, nothing
// else. It accepts and rejects exactly what encoding/json would. The first
// element may be an error envelope, as for Decode. Other shapes are handed
// to the sink's Other. Its zero value is ready to use, and its buffer is
// reused by the next Decode.
type RowDecoder struct {
	// MaxRow, when positive, is the most bytes an element of the array
	// may take: a larger one is ErrRowTooLarge, found before more than
	// about twice MaxRow is held.
	MaxRow int

	r    io.Reader
	buf  []byte
	pos  int   // the next byte
	end  int   // the end of the bytes read
	pin  int   // the start of the row being decoded, kept by fill; -1: none
	err  error // the reader's error (io.EOF at the end), once it has one
	off  int64 // the offset of buf[0] in the answer
	lift [2]string
	// names are the column names met (interned), and roles what each is:
	// 0 a column, 1 or 2 the first or second lifted field.
	names []string
	roles []byte
	// fields are the current row's, offsets relative to pin; other holds
	// its names that are not interned.
	fields []rowField
	other  []string
	stack  []byte
	row    TextRow
}

// rowField is a field of the row being decoded. It holds no pointer, so
// that filling it in costs no write barrier.
type rowField struct {
	name   int  // an index in names, or -1-i for other[i]
	v0, v1 int  // the value's bytes, relative to the row's start
	role   byte // as in roles
	kind   byte // '"' a string's plain contents, 'e' a string to unescape, 'n' null, 'r' the value's JSON
}

// Decode reads an answer from r and gives its rows to sink: see RowDecoder.
// lift names the two fields that go to TextRow.Lifted.
func (d *RowDecoder) Decode(r io.Reader, lift [2]string, sink RowSink) error {
	if d.buf == nil {
		d.buf = make([]byte, rowBufSize)
	}
	d.r, d.pos, d.end, d.pin, d.err, d.off = r, 0, 0, -1, nil, 0
	if lift != d.lift {
		d.lift, d.names, d.roles = lift, d.names[:0], d.roles[:0]
	}
	defer func() { d.r, d.row = nil, TextRow{} }()
	c, ok := d.space()
	if !ok && d.err != io.EOF {
		return d.err
	}
	if !ok || c != '[' {
		var rest io.Reader = io.MultiReader(bytes.NewReader(d.buf[d.pos:d.end]), r)
		if d.MaxRow > 0 {
			rest = &limitReader{r: rest, left: d.MaxRow}
		}
		return sink.Other(rest)
	}
	d.pos++
	if c, ok = d.space(); !ok {
		return d.eofErr()
	}
	if c == ']' {
		d.pos++
		return d.trailer(nil)
	}
	var envErr *EnvelopeError
	for i := 0; ; i++ {
		if envErr != nil {
			// An error envelope came first: the rest is only checked.
			if err := d.skipValue(1); err != nil {
				return err
			}
		} else if err := d.element(i, sink, &envErr); err != nil {
			return err
		}
		if c, ok = d.space(); !ok {
			return d.eofErr()
		}
		d.pos++
		switch c {
		case ',':
		case ']':
			return d.trailer(envErr)
		default:
			return d.syntax(c, "after array element")
		}
	}
}

// element decodes the i-th element of the top-level array.
func (d *RowDecoder) element(i int, sink RowSink, envErr **EnvelopeError) error {
	c, ok := d.space()
	if !ok {
		return d.eofErr()
	}
	d.pin = d.pos
	switch c {
	case '{':
		if err := d.object(); err != nil {
			return err
		}
		if d.rowTooLarge(d.pos - d.pin) {
			return fmt.Errorf("item %d: %w (%d bytes)", i, ErrRowTooLarge, d.MaxRow)
		}
		if raw := d.buf[d.pin:d.pos]; i == 0 && maybeEnvelope(raw) {
			if msg, isErr := envelopeMessage(raw); isErr {
				*envErr = &EnvelopeError{Message: msg}
				d.pin = -1
				return nil
			}
		}
		d.layout()
		d.row.Bytes = d.pos - d.pin
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		d.row = TextRow{Bytes: 4}
	default:
		if err := d.skipValue(1); err != nil {
			return err
		}
		err := fmt.Errorf("item %d: %w, got %s", i, errNotObject, describe(d.buf[d.pin:d.pos]))
		d.pin = -1
		return err
	}
	d.pin = -1
	return sink.Row(&d.row)
}

// limitReader reads at most left bytes of r, then fails with
// ErrRowTooLarge.
type limitReader struct {
	r    io.Reader
	left int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, fmt.Errorf("%w: the answer, not an array of rows, is over the limit", ErrRowTooLarge)
	}
	if len(p) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if l.left -= n; l.left < 0 {
		return 0, fmt.Errorf("%w: the answer, not an array of rows, is over the limit", ErrRowTooLarge)
	}
	return n, err
}

// rowTooLarge reports whether the element being decoded, of n bytes so
// far, is over MaxRow.
func (d *RowDecoder) rowTooLarge(n int) bool { return d.MaxRow > 0 && d.pin >= 0 && n > d.MaxRow }

// object reads a row, its '{' next, into fields.
func (d *RowDecoder) object() error {
	d.pos++
	d.fields, d.other = d.fields[:0], d.other[:0]
	c, ok := d.space()
	if !ok {
		return d.eofErr()
	}
	if c == '}' {
		d.pos++
		return nil
	}
	for j := 0; ; j++ {
		if c != '"' {
			return d.syntax(c, "looking for beginning of object key string")
		}
		name, role, err := d.key(j)
		if err != nil {
			return err
		}
		if err := d.colon(); err != nil {
			return err
		}
		if c, ok = d.space(); !ok {
			return d.eofErr()
		}
		f := rowField{name: name, role: role, v0: d.pos - d.pin, kind: 'r'}
		switch c {
		case '"':
			esc, err := d.str(true)
			if err != nil {
				return err
			}
			if f.kind = 'e'; !esc {
				f.kind = '"'
				f.v0++
			}
		case 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
			f.kind = 'n'
		case '{', '[':
			if err := d.skipValue(2); err != nil {
				return err
			}
		default:
			if err := d.scalar(c); err != nil {
				return err
			}
		}
		if f.v1 = d.pos - d.pin; f.kind == '"' {
			f.v1--
		}
		d.fields = append(d.fields, f)
		if c, ok = d.space(); !ok {
			return d.eofErr()
		}
		d.pos++
		switch c {
		case '}':
			return nil
		case ',':
		default:
			return d.syntax(c, "after object key:value pair")
		}
		if c, ok = d.space(); !ok {
			return d.eofErr()
		}
	}
}

// key reads the j-th name of a row's object, its '"' next, and returns
// its index and role (see rowField): interned when it needs no unescaping.
func (d *RowDecoder) key(j int) (int, byte, error) {
	start := d.pos - d.pin
	esc, err := d.str(true)
	if err != nil {
		return 0, 0, err
	}
	raw := d.buf[d.pin+start : d.pos]
	if esc {
		return d.otherName(unquote(raw))
	}
	name := raw[1 : len(raw)-1]
	if j < len(d.names) && d.names[j] == string(name) {
		return j, d.roles[j], nil
	}
	for i, k := range d.names {
		if k == string(name) {
			return i, d.roles[i], nil
		}
	}
	if len(d.names) >= 64 {
		return d.otherName(string(name))
	}
	d.names = append(d.names, string(name))
	d.roles = append(d.roles, d.role(string(name)))
	return len(d.names) - 1, d.roles[len(d.roles)-1], nil
}

// otherName keeps a name that is not interned.
func (d *RowDecoder) otherName(name string) (int, byte, error) {
	d.other = append(d.other, name)
	return -len(d.other), d.role(name), nil
}

// role says whether name is a column (0) or a lifted field (1, 2).
func (d *RowDecoder) role(name string) byte {
	switch name {
	case d.lift[0]:
		return 1
	case d.lift[1]:
		return 2
	}
	return 0
}

// layout turns the fields of the row just read into d.row: all its text
// in one string.
func (d *RowDecoder) layout() {
	base := d.buf[d.pin:]
	size, cols := 0, 0
	for i := range d.fields {
		f := &d.fields[i]
		if f.kind == '"' || f.kind == 'r' {
			size += f.v1 - f.v0
		}
		if f.role == 0 {
			cols++
		}
	}
	var b strings.Builder
	b.Grow(size)
	for i := range d.fields {
		if f := &d.fields[i]; f.kind == '"' || f.kind == 'r' {
			b.Write(base[f.v0:f.v1])
		}
	}
	s := b.String()
	row := TextRow{}
	if cols > 0 {
		row.Columns = make(map[string]string, cols)
	}
	at := 0
	for i := range d.fields {
		f := &d.fields[i]
		var v string
		switch f.kind {
		case '"', 'r':
			v = s[at : at+f.v1-f.v0]
			at += f.v1 - f.v0
		case 'e':
			v = unquote(base[f.v0:f.v1])
		}
		switch f.role {
		case 1:
			row.Lifted[0] = v
		case 2:
			row.Lifted[1] = v
		default:
			if f.name >= 0 {
				row.Columns[d.names[f.name]] = v
			} else {
				row.Columns[d.other[-1-f.name]] = v
			}
		}
	}
	d.row = row
}

// unquote decodes a JSON string that str has checked, as encoding/json
// does (bytes that are not UTF-8 become U+FFFD).
func unquote(raw []byte) string {
	var s string
	_ = json.Unmarshal(raw, &s) // checked: it decodes
	return s
}

// skipValue reads and checks one JSON value inside depth levels of nesting
// (1 for an element of the top-level array, 2 for a field of a row), as
// encoding/json counts them.
func (d *RowDecoder) skipValue(depth int) error {
	stack := d.stack[:0]
	defer func() { d.stack = stack[:0] }()
value:
	for {
		c, ok := d.space()
		if !ok {
			return d.eofErr()
		}
		switch c {
		case '{', '[':
			if depth+len(stack)+1 > maxDepth {
				return errors.New("exceeded max depth")
			}
			d.pos++
			c2, ok := d.space()
			if !ok {
				return d.eofErr()
			}
			if c2 == c+2 { // '}' is '{'+2, ']' is '['+2
				d.pos++
				break
			}
			stack = append(stack, c)
			if c == '{' {
				if err := d.member(); err != nil {
					return err
				}
			}
			continue value
		case '"':
			if _, err := d.str(false); err != nil {
				return err
			}
		default:
			if err := d.scalar(c); err != nil {
				return err
			}
		}
		// A value is complete: close what it completes.
		for len(stack) > 0 {
			c, ok := d.space()
			if !ok {
				return d.eofErr()
			}
			d.pos++
			top := stack[len(stack)-1]
			switch {
			case c == ',':
				if top == '{' {
					if err := d.member(); err != nil {
						return err
					}
				}
				continue value
			case c == top+2:
				stack = stack[:len(stack)-1]
			case top == '{':
				return d.syntax(c, "after object key:value pair")
			default:
				return d.syntax(c, "after array element")
			}
		}
		return nil
	}
}

// member reads an object's key and colon, white space before them
// included.
func (d *RowDecoder) member() error {
	if err := d.want('"', "looking for beginning of object key string"); err != nil {
		return err
	}
	if _, err := d.str(false); err != nil {
		return err
	}
	return d.colon()
}

// colon reads the ':' after an object's key.
func (d *RowDecoder) colon() error {
	if err := d.want(':', "after object key"); err != nil {
		return err
	}
	d.pos++
	return nil
}

// want checks that the next byte after white space is c, and leaves it
// unread.
func (d *RowDecoder) want(c byte, where string) error {
	got, ok := d.space()
	switch {
	case !ok:
		return d.eofErr()
	case got != c:
		return d.syntax(got, where)
	}
	return nil
}

// scalar reads a number, true, false or null starting with c.
func (d *RowDecoder) scalar(c byte) error {
	switch c {
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	if c == '-' || c >= '0' && c <= '9' {
		return d.number()
	}
	return d.syntax(c, "looking for beginning of value")
}

// literal reads the word w.
func (d *RowDecoder) literal(w string) error {
	for i := 0; i < len(w); i++ {
		c, ok := d.peek()
		if !ok {
			return d.eofErr()
		}
		if c != w[i] {
			return d.syntax(c, "in literal "+w+" (expecting "+quoteChar(w[i])+")")
		}
		d.pos++
	}
	return nil
}

// number reads a JSON number.
func (d *RowDecoder) number() error {
	c, _ := d.peek()
	if c == '-' {
		d.pos++
		var ok bool
		if c, ok = d.peek(); !ok {
			return d.eofErr()
		}
	}
	switch {
	case c == '0':
		d.pos++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return d.syntax(c, "in numeric literal")
	}
	if c, ok := d.peek(); ok && c == '.' {
		d.pos++
		if err := d.someDigits("after decimal point in numeric literal"); err != nil {
			return err
		}
	}
	if c, ok := d.peek(); ok && (c == 'e' || c == 'E') {
		d.pos++
		if c, ok = d.peek(); ok && (c == '+' || c == '-') {
			d.pos++
		}
		return d.someDigits("in exponent of numeric literal")
	}
	return nil
}

// someDigits reads one digit or more.
func (d *RowDecoder) someDigits(where string) error {
	c, ok := d.peek()
	if !ok {
		return d.eofErr()
	}
	if c < '0' || c > '9' {
		return d.syntax(c, where)
	}
	d.digits()
	return nil
}

// digits reads digits, none or more.
func (d *RowDecoder) digits() {
	for {
		b := d.buf[d.pos:d.end]
		i := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		d.pos += i
		if i < len(b) || !d.fill() {
			return
		}
	}
}

// str reads a JSON string, its '"' next, and reports whether its contents
// must be unescaped to be text: an escape, or (when utf8 is set) bytes
// that are not UTF-8, which encoding/json replaces.
func (d *RowDecoder) str(checkUTF8 bool) (unescape bool, err error) {
	d.pos++
	start := d.pos - d.pin
	var high byte
	for {
		b := d.buf[d.pos:d.end]
		i := 0
		for ; i < len(b); i++ {
			c := b[i]
			if c < 0x20 || c == '"' || c == '\\' {
				break
			}
			high |= c
		}
		d.pos += i
		if i == len(b) {
			if !d.fill() {
				return false, d.eofErr()
			}
			continue
		}
		switch c := b[i]; {
		case c == '"':
			d.pos++
			if !unescape && checkUTF8 && high >= utf8.RuneSelf {
				unescape = !utf8.Valid(d.buf[d.pin+start : d.pos-1])
			}
			return unescape, nil
		case c == '\\':
			unescape = true
			d.pos++
			if err := d.escape(); err != nil {
				return false, err
			}
		default:
			return false, d.syntax(c, "in string literal")
		}
	}
}

// escape reads what follows a backslash in a string.
func (d *RowDecoder) escape() error {
	c, ok := d.peek()
	if !ok {
		return d.eofErr()
	}
	d.pos++
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return nil
	case 'u':
		for range 4 {
			h, ok := d.peek()
			if !ok {
				return d.eofErr()
			}
			if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				return d.syntax(h, "in \\u hexadecimal character escape")
			}
			d.pos++
		}
		return nil
	}
	return d.syntax(c, "in string escape code")
}

// trailer checks that nothing but white space follows the answer, and
// returns the error envelope's error, if any.
func (d *RowDecoder) trailer(envErr *EnvelopeError) error {
	if c, ok := d.space(); ok {
		return d.syntax(c, "after the answer")
	}
	if d.err != io.EOF {
		return d.err
	}
	if envErr != nil {
		return envErr
	}
	return nil
}

// space skips white space and returns the next byte, unread; false at the
// end of the answer or on an error of the reader.
func (d *RowDecoder) space() (byte, bool) {
	if d.pos < d.end {
		if c := d.buf[d.pos]; c > ' ' {
			return c, true // compact JSON: no space to skip
		}
	}
	return d.skipSpace()
}

// skipSpace is space past its fast path.
func (d *RowDecoder) skipSpace() (byte, bool) {
	for {
		for ; d.pos < d.end; d.pos++ {
			switch c := d.buf[d.pos]; c {
			case ' ', '\t', '\r', '\n':
			default:
				return c, true
			}
		}
		if !d.fill() {
			return 0, false
		}
	}
}

// peek returns the next byte, unread.
func (d *RowDecoder) peek() (byte, bool) {
	if d.pos < d.end || d.fill() {
		return d.buf[d.pos], true
	}
	return 0, false
}

// fill reads more of the answer, keeping the row being decoded (or else
// what is unread) at the start of the buffer, which grows only when that
// fills it. It returns false at the end of the answer or on an error.
func (d *RowDecoder) fill() bool {
	if d.err != nil {
		return false
	}
	keep := d.pos
	if d.pin >= 0 {
		keep = d.pin
	}
	if keep > 0 {
		d.end = copy(d.buf, d.buf[keep:d.end])
		d.pos -= keep
		d.off += int64(keep)
		if d.pin >= 0 {
			d.pin = 0
		}
	}
	if d.rowTooLarge(d.end) {
		d.err = fmt.Errorf("%w (%d bytes)", ErrRowTooLarge, d.MaxRow)
		return false
	}
	if d.end == len(d.buf) {
		d.buf = append(d.buf, make([]byte, len(d.buf))...)
	}
	for range 100 {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		if err != nil {
			d.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	d.err = io.ErrNoProgress
	return false
}

// eofErr is the error of an answer that ends early: the reader's, or an
// unexpected end.
func (d *RowDecoder) eofErr() error {
	if d.err != nil && d.err != io.EOF {
		return d.err
	}
	return fmt.Errorf("unexpected end of JSON input: %w", io.ErrUnexpectedEOF)
}

// syntax is the error of an unexpected byte c, as encoding/json words it.
func (d *RowDecoder) syntax(c byte, where string) error {
	return fmt.Errorf("invalid character %s %s (at byte %d)", quoteChar(c), where, d.off+int64(d.pos)+1)
}

// quoteChar formats c as encoding/json does in its errors.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}
