package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

var rowLift = [2]string{"number", "action"}

// mapRow is a row as the Decoder path decodes it: ObjectText over the
// bytes encoding/json has checked.
type mapRow struct{ TextRow }

func (r *mapRow) UnmarshalJSON(data []byte) error {
	r.TextRow = TextRow{}
	return ObjectText(data, func(k, v string) {
		switch k {
		case rowLift[0]:
			r.Lifted[0] = v
		case rowLift[1]:
			r.Lifted[1] = v
		default:
			if r.Columns == nil {
				r.Columns = map[string]string{}
			}
			r.Columns[k] = v
		}
	})
}

// rowsSink keeps the rows of either decoder, and refuses a second list
// once rows have been given, as the SDK's details stream does.
type rowsSink struct {
	rows []TextRow
	dec  Decoder[mapRow]
}

func (s *rowsSink) Row(r *TextRow) error    { s.rows = append(s.rows, *r); return nil }
func (s *rowsSink) Item(r *mapRow) error    { s.rows = append(s.rows, r.TextRow); return nil }
func (s *rowsSink) Other(r io.Reader) error { return s.dec.Decode(r, "", 0, s) }
func (s *rowsSink) Begin(bool) error {
	if len(s.rows) > 0 {
		return fmt.Errorf("%w: a second list", ErrNoList)
	}
	return nil
}

// decodeRows runs RowDecoder over data, read in pieces of at most chunk
// bytes (0: all at once) into a buffer of bufSize bytes (0: the default).
func decodeRows(data []byte, chunk, bufSize int) ([]TextRow, error) {
	var d RowDecoder
	if bufSize > 0 {
		d.buf = make([]byte, bufSize)
	}
	var r io.Reader = bytes.NewReader(data)
	if chunk > 0 {
		r = &pieces{data: data, n: chunk}
	}
	var s rowsSink
	err := d.Decode(r, rowLift, &s)
	return s.rows, err
}

// decodeRowsOld runs the Decoder path that RowDecoder replaces for bare
// arrays.
func decodeRowsOld(data []byte) ([]TextRow, error) {
	var s rowsSink
	err := s.dec.Decode(bytes.NewReader(data), "", 0, &s)
	return s.rows, err
}

// pieces reads data n bytes at a time.
type pieces struct {
	data []byte
	n    int
}

func (p *pieces) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), p.n)], p.data)
	p.data = p.data[n:]
	return n, nil
}

var rowBodies = []string{
	`[{"number":"+15550000001","action":"delivered","runId":"run_1","message":"Hi Ana","timestamp":1700000000},` +
		`{"number":"+15550000002","action":"read","runId":"run_1","message":"Hi Bo","timestamp":1700000001}]`,
	` [ { "number" : 15550000001 , "action" : null , "t" : -1.5e+3 , "o" : { } , "a" : [ 1 , { "b" : "}" } ] } ] `,
	`[{"number":"+1\u0035","act\u0069on":"read","a":"x","a":"y","s":"\ud800","u":"\u00e9\n"}]`,
	"[{\"number\":\"\xff\xfe\",\"\xc3\":\"\xe2\x82\",\"ok\":\"\xe2\x82\xac\"}]",
	`[{"status":"error","message":"Campaign not found"}]`,
	`[{"Status":"ERROR","error":"bad key"},{"number":"1"}]`,
	`[{"status":"error","message":{"a":1}}, 5, [1]]`,
	`[{"status":"success","number":"1"}]`,
	`[{"STATUS":"\u0065rror"}]`,
	`[null,{"number":"1"},null]`,
	`[{},{"x":true,"y":false,"z":null}]`,
	`[1]`, `[{"number":"1"},"x"]`, `[[1,2,[3]]]`, `[{"number":"1"}, tru]`,
	`[{"a":1,}]`, `[{"a":1},]`, `[,]`, `[{"a" 1}]`, `[{"a":01}]`, `[{"a":1.}]`, `[{"a":1e}]`, `[{"a":-}]`,
	`[{"a":"\x"}]`, `[{"a":"\u12g4"}]`, "[{\"a\":\"\t\"}]", `[{"a":1}] x`, `[{"a":1}] [2]`, `[{"a":1}]  `,
	`[{"a":1}`, `[{"a":"`, `[`, `[{`, `[{"a"`, `[{"a":`, `[{"a":[`, `[{"a":{"b"`, `[{"a":nul`,
	`{"status":"success","data":[{"number":"1","action":"sent"}]}`,
	`{"status":"error","message":"nope"}`,
	`{"results":[{"number":"1"}],"data":[{"number":"2"}]}`,
	`null`, ``, `   `, `[]`, `{}`, `"x"`, `12`, "\xef\xbb\xbf[]",
}

// FuzzRowDecoder checks RowDecoder against the Decoder path it replaces
// for bare arrays (encoding/json's Decoder, then ObjectText per row) and
// against json.Valid: the same answers accepted, the same rows out, the
// same error envelope; whatever pieces the answer arrives in and however
// small the buffer starts.
//
// It generates deep nesting too: each "@" in data becomes a value nested
// 9,990 to 10,009 levels (arrays, or objects when deep is odd), so that
// inputs on each side of encoding/json's limit of 10,000, counted from the
// top of the document, are tried wherever the "@" sits. A json.Decoder
// decoding one element at a time counts from the element, so for those
// inputs json.Valid is the only oracle of the verdict.
func FuzzRowDecoder(f *testing.F) {
	for _, b := range append(rowBodies, fuzzBodies...) {
		f.Add([]byte(b), uint8(0), uint8(0), uint8(0))
		f.Add([]byte(b), uint8(1), uint8(3), uint8(0))
	}
	for _, b := range deepBodies {
		for _, deep := range []uint8{8, 9, 10, 11, 12, 13, 19} { // 9,998 to 10,001 levels, and 10,009
			f.Add([]byte(b), uint8(0), uint8(0), deep)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk, bufSize, deep uint8) {
		data = expandDeep(data, deep)
		deepest := maxNesting(data) >= maxDepth-10
		want, errWant := decodeRowsOld(data)
		got, errGot := decodeRows(data, int(chunk), int(bufSize))
		if !deepest && (errGot == nil) != (errWant == nil) {
			t.Fatalf("%.200q: got %v, the Decoder path %v", data, errGot, errWant)
		}
		var envGot, envWant *EnvelopeError
		if !deepest && (errors.As(errGot, &envGot) != errors.As(errWant, &envWant) || envGot != nil && *envGot != *envWant) {
			t.Fatalf("%.200q: got %v, the Decoder path %v", data, errGot, errWant)
		}
		if (!deepest || errGot == nil && errWant == nil) && !sameRows(got, want) {
			t.Fatalf("%.200q:\n got %#v\nwant %#v", data, got, want)
		}
		errors.As(errGot, &envGot)
		if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			if valid := json.Valid(data); errGot == nil && !valid {
				t.Fatalf("%.200q: accepted, but not JSON", data)
			} else if valid && errGot != nil && envGot == nil && objectsOnly(data) {
				t.Fatalf("%.200q: an array of objects refused: %v", data, errGot)
			}
		}
	})
}

// deepBodies are the seeds whose "@" FuzzRowDecoder expands to deep
// nesting: in a row, in a row's object, beside an error row, as an
// element, in a string.
var deepBodies = []string{
	`[{"a":@}]`, `[{"number":"1","a":{"b":@}}]`, `[{"status":"error"},@]`, `[@]`,
	`[{"a":1},@,{"b":2}]`, `[{"a":"@"}]`, `{"data":[{"a":@}]}`,
}

// expandDeep replaces each "@" in data with a value nested 9,990 +
// deep%20 levels: arrays when deep is even, objects when it is odd. A deep
// of 0 leaves data as it is.
func expandDeep(data []byte, deep uint8) []byte {
	if deep == 0 || bytes.Count(data, []byte("@")) != 1 {
		return data // one expansion at most: each is 20 KB
	}
	n := maxDepth - 10 + int(deep%20)
	var v string
	if deep%2 == 0 {
		v = strings.Repeat("[", n) + strings.Repeat("]", n)
	} else {
		v = strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1)
	}
	return bytes.Replace(data, []byte("@"), []byte(v), 1)
}

// maxNesting is the deepest nesting of arrays and objects in data, strings
// skipped, whether or not data is valid JSON.
func maxNesting(data []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// objectsOnly reports whether a valid JSON array holds only objects and
// nulls.
func objectsOnly(data []byte) bool {
	var elems []json.RawMessage
	if json.Unmarshal(data, &elems) != nil {
		return false
	}
	for _, e := range elems {
		if e[0] != '{' && e[0] != 'n' {
			return false
		}
	}
	return true
}

func sameRows(a, b []TextRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Lifted != b[i].Lifted || len(a[i].Columns) != len(b[i].Columns) ||
			len(a[i].Columns) > 0 && !reflect.DeepEqual(a[i].Columns, b[i].Columns) ||
			(a[i].Columns == nil) != (b[i].Columns == nil) {
			return false
		}
	}
	return true
}

func TestRowDecoderRows(t *testing.T) {
	rows, err := decodeRows([]byte(rowBodies[1]), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []TextRow{{Lifted: [2]string{"15550000001", ""}, Columns: map[string]string{
		"t": "-1.5e+3", "o": "{ }", "a": `[ 1 , { "b" : "}" } ]`}, Bytes: 102}} // the row's bytes, from its "{" to its "}"
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("got %#v", rows)
	}
}

// TestRowDecoderDepth: encoding/json's nesting limit, 10,000 levels counted
// from the top of the document (json.Unmarshal's verdict on the whole
// answer, not a json.Decoder's on each element), holds for rows and for
// other elements, at each side of the limit.
func TestRowDecoderDepth(t *testing.T) {
	for _, n := range []int{9997, 9998, 9999, 10000} {
		for _, body := range []string{
			`[{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}]`,
			`[{"status":"error"},` + strings.Repeat("[", n) + strings.Repeat("]", n) + `]`,
			`[` + strings.Repeat(`{"a":`, n) + `1` + strings.Repeat("}", n) + `]`,
		} {
			var v any
			want := json.Unmarshal([]byte(body), &v) == nil
			_, err := decodeRows([]byte(body), 0, 0)
			var env *EnvelopeError
			if ok := err == nil || errors.As(err, &env); ok != want {
				t.Errorf("%d levels in %.20q: %v; encoding/json accepts it: %v", n, body, err, want)
			}
		}
	}
}

// TestRowDecoderKeepsRow reads a row larger than the buffer, a byte at a
// time, and the row after it.
func TestRowDecoderKeepsRow(t *testing.T) {
	long := strings.Repeat("é", 100)
	body := `[{"number":"1","m":"` + long + `","n":[` + strings.Repeat(`"\u00e9",`, 50) + `1]},{"number":"2"}]`
	var d RowDecoder
	d.buf = make([]byte, 16)
	var s rowsSink
	if err := d.Decode(iotest.OneByteReader(strings.NewReader(body)), rowLift, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.rows) != 2 || s.rows[0].Columns["m"] != long || s.rows[1].Lifted[0] != "2" {
		t.Fatalf("got %#v", s.rows)
	}
}

// BenchmarkRowDecoder decodes 10,000 rows from memory: by RowDecoder, and
// by the Decoder path (encoding/json's Decoder, then ObjectText per row).
func BenchmarkRowDecoder(b *testing.B) {
	var body bytes.Buffer
	body.WriteByte('[')
	for i := range 10_000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"number":"+1555%07d","action":"delivered","runId":"run_1","message":"Hi Ana","timestamp":%d}`, i, 1700000000+i)
	}
	body.WriteByte(']')
	data := body.Bytes()
	b.Run("rows", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		var d RowDecoder
		var s countSink
		for range b.N {
			if err := d.Decode(bytes.NewReader(data), rowLift, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoder", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		var d Decoder[mapRow]
		var s countSink
		for range b.N {
			if err := d.Decode(bytes.NewReader(data), "", 0, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// countSink counts rows.
type countSink struct{ n int }

func (s *countSink) Row(*TextRow) error    { s.n++; return nil }
func (s *countSink) Item(*mapRow) error    { s.n++; return nil }
func (s *countSink) Begin(bool) error      { return nil }
func (s *countSink) Other(io.Reader) error { return errors.New("not rows") }

// The row decoder's nesting limit is encoding/json's, counted from the top
// of the document (the array of rows is level 1): a row nested 9,999 deep
// inside the array is refused where json.Unmarshal refuses it.
func TestRowDecoderDepthIsEncodingJSONs(t *testing.T) {
	for _, k := range []int{9996, 9997, 9998, 9999, 10000} {
		body := `[{"number":"1","a":` + strings.Repeat("[", k) + strings.Repeat("]", k) + `}]`
		var v any
		jsonErr := json.Unmarshal([]byte(body), &v)
		_, err := decodeRows([]byte(body), 0, 0)
		if (err == nil) != (jsonErr == nil) {
			t.Errorf("%d nested arrays in a row: RowDecoder says %v, encoding/json %v", k, err, jsonErr)
		}
	}
}
