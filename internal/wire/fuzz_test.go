package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// Fuzz targets for every decoder of a server's answer. A hostile or broken
// server chooses these bytes: the decoders must return an error, never
// panic, and keep their promises on what they do return. The seeds, and
// the files under testdata/fuzz, run with plain go test.

// fuzzBodies are answers seen in the API's docs, their likely variants, and
// broken ones.
var fuzzBodies = []string{
	`[{"id":"a","name":"A"},{"id":"b"}]`,
	`{"status":"success","audiences":[{"id":"a","name":"A"}]}`,
	`{"status":"success","data":[{"id":1}],"other":[2]}`,
	`{"status":"success","a":[1],"b":[2]}`,
	`[{"status":"success","campaigns":{"campaignId":"c1","title":"T"}}]`,
	`[{"status":"success","campaigns":[{"campaignId":"c1"},{"campaignId":"c2"}]}]`,
	`{"campaigns":{"campaignId":"c1"}}`,
	`{"campaigns":null}`,
	`{"campaigns":"none"}`,
	`{"status":"error","message":"Audience not found"}`,
	`[{"status":"error","error":"bad key"}]`,
	`{"status":"ERROR","message":42}`,
	`{"status":"success"}`,
	`null`, ``, `   `, `[]`, `{}`, `[null]`, `[[1,2],[3]]`,
	`<html><head><title>502 Bad Gateway</title></head></html>`,
	`<!DOCTYPE html><TITLE>Too &amp; many</TITLE>`,
	`Internal Server Error`,
	`{"status":"success","audiences":[{"id":`,
	"\xff\xfe\x00",
	`"just a string"`, `12`, `true`,
}

func FuzzItems(f *testing.F) {
	for _, b := range fuzzBodies {
		for _, key := range []string{"", "audiences", "campaigns", "contacts"} {
			f.Add([]byte(b), key)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		items, err := Items(data, key)
		if err != nil {
			if items != nil {
				t.Fatalf("Items returned %d items and an error", len(items))
			}
			return
		}
		for i, it := range items {
			if !json.Valid(it) {
				t.Fatalf("item %d is not JSON: %q", i, it)
			}
		}
		// DecodeList agrees with Items on what the list is.
		raws, err := DecodeList[json.RawMessage](data, key)
		if err != nil || len(raws) != len(items) {
			t.Fatalf("DecodeList: %d items, %v; Items: %d", len(raws), err, len(items))
		}
		// A bare array of objects without the key is the list itself.
		if key == "" && len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '[' {
			var elems []json.RawMessage
			if json.Unmarshal(data, &elems) == nil && len(elems) != len(items) {
				t.Fatalf("bare array of %d: %d items", len(elems), len(items))
			}
		}
	})
}

// fuzzItem is a typical list element, decoded leniently.
type fuzzItem struct {
	ID    String `json:"id"`
	Count Int    `json:"count"`
	At    Time   `json:"at"`
}

func FuzzDecodeList(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b), "audiences")
	}
	f.Add([]byte(`[{"id":7,"count":"12","at":1700000000}]`), "")
	f.Add([]byte(`{"items":[{"id":"x","count":1e3,"at":"2024-01-02T03:04:05Z"}]}`), "")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		items, err := DecodeList[fuzzItem](data, key)
		if err != nil && items != nil {
			t.Fatalf("DecodeList returned items and an error")
		}
		for _, it := range items {
			if it.Count > 1<<53 || it.Count < -(1<<53) {
				t.Fatalf("count %d beyond 2^53", it.Count)
			}
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, isErr := ErrorMessage(body)
		if !isErr && msg != "" {
			t.Fatalf("a message %q from a body that is not an error", msg)
		}
		if isErr {
			// An error body is JSON whose status says so.
			if !json.Valid(body) {
				t.Fatalf("error reported for invalid JSON %q", body)
			}
			if msg != "" && ErrorText(body, 1<<20) != msg {
				t.Fatalf("ErrorText %q, ErrorMessage %q", ErrorText(body, 1<<20), msg)
			}
		}
	})
}

func FuzzErrorText(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b), 512)
	}
	f.Add([]byte("<title>"+strings.Repeat("é", 300)+"</title>"), 7)
	f.Add([]byte(strings.Repeat("word ", 1000)), 0)
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		s := ErrorText(body, max)
		if len(s) > max+len("…") {
			t.Fatalf("ErrorText: %d bytes, max %d", len(s), max)
		}
		if utf8.Valid(body) && !utf8.ValidString(s) {
			t.Fatalf("ErrorText of valid UTF-8 is not: %q", s)
		}
	})
}

func FuzzTruncate(f *testing.F) {
	f.Add("hello, world", 5)
	f.Add("héllo", 2)
	f.Add("日本語", 4)
	f.Add("\xff\xfe", 1)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > len(s)+8 {
			return
		}
		got := Truncate(s, max)
		if len(s) <= max {
			if got != s {
				t.Fatalf("Truncate(%q, %d) = %q, want it whole", s, max, got)
			}
			return
		}
		cut := strings.TrimSuffix(got, "…")
		if cut == got || !strings.HasPrefix(s, cut) || len(cut) > max {
			t.Fatalf("Truncate(%q, %d) = %q", s, max, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q splits a rune", s, max, got)
		}
	})
}

// fuzzScalars are JSON values of every kind, and near misses.
var fuzzScalars = []string{
	`"42"`, `42`, `-7`, `4.2e1`, `1e400`, `-1e400`, `true`, `false`, `null`, `""`, `"  "`,
	`"1700000000"`, `1700000000`, `1700000000123`, `"2024-01-02T03:04:05Z"`, `"2024-01-02"`,
	`9007199254740993`, `"NaN"`, `"Inf"`, `"0x10"`, `{}`, `[]`, `"\u00e9"`, `"unterminated`, ` 12 `,
}

func FuzzString(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s String
		if err := s.UnmarshalJSON(b); err != nil {
			return
		}
		// What it accepts is a JSON scalar (give or take surrounding white
		// space, which encoding/json never passes to it), and a JSON string
		// decodes as encoding/json decodes it.
		if !json.Valid(b) {
			if !json.Valid(bytes.TrimSpace(b)) {
				t.Fatalf("String accepted invalid JSON %q", b)
			}
			return
		}
		var str string
		if json.Unmarshal(b, &str) == nil && string(s) != str {
			t.Fatalf("String(%q) = %q, encoding/json says %q", b, s, str)
		}
		// Inside an object, through encoding/json, it decodes the same.
		var w struct{ V String }
		if err := json.Unmarshal([]byte(`{"V":`+string(b)+`}`), &w); err != nil || w.V != s {
			t.Fatalf("String(%q) = %q alone, %q (%v) in an object", b, s, w.V, err)
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n Int
		if err := n.UnmarshalJSON(b); err != nil {
			return
		}
		if n > 1<<53 || n < -(1<<53) {
			t.Fatalf("Int(%q) = %d, beyond 2^53", b, n)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range fuzzScalars {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var tm Time
		_ = tm.UnmarshalJSON(b) // any input: an error or a time, never a panic
	})
}

// FuzzStrings checks that Strings decodes what []String decodes.
func FuzzStrings(f *testing.F) {
	for _, s := range []string{`["a","b"]`, `[1,true,null,"\u00e9"]`, `null`, `[]`, `[{}]`, `[[1]]`, ` [ "x" , 2 ] `, `["\ud800"]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Strings
		var slow []String
		errFast := json.Unmarshal(b, &fast)
		errSlow := json.Unmarshal(b, &slow)
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("%q: Strings %v, []String %v", b, errFast, errSlow)
		}
		if errFast != nil {
			return
		}
		if len(fast) != len(slow) || (slow == nil) != (fast == nil) {
			t.Fatalf("%q: %q and %q", b, fast, slow)
		}
		for i := range fast {
			if fast[i] != string(slow[i]) {
				t.Fatalf("%q: %q and %q", b, fast, slow)
			}
		}
		_ = fast.UnmarshalJSON(b) // directly, too: never a panic
	})
}

// FuzzAppendString checks that AppendString and AppendText write what
// json.Marshal writes, that TextLen is its length, and that AppendText and
// TextLen tell valid UTF-8 as utf8.ValidString does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te\back`, "<b>&</b>", "\t\n\r\b\f\x00\x1f\x7f", "bad\xffutf8\xc3", "\u2028\u2029", "émoji 👋", "\ud7ff\ue000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
		}
		if got, valid := AppendText([]byte("x"), s); string(got[1:]) != string(want) || valid != utf8.ValidString(s) {
			t.Fatalf("AppendText(%q) = %s, %v; json.Marshal %s, utf8.ValidString %v", s, got[1:], valid, want, utf8.ValidString(s))
		}
		if n, valid := TextLen(s); n != len(want) || valid != utf8.ValidString(s) {
			t.Fatalf("TextLen(%q) = %d, %v; json.Marshal wrote %d bytes, utf8.ValidString %v", s, n, valid, len(want), utf8.ValidString(s))
		}
		ss := []string{s, "x"}
		want, _ = json.Marshal(ss)
		if got := AppendStrings(nil, ss); string(got) != string(want) {
			t.Fatalf("AppendStrings(%q) = %s, json.Marshal %s", ss, got, want)
		}
	})
}

// FuzzDecodeBytesStreams checks that an answer decoded from memory (where
// a valid array is walked in place) gives what the same answer streamed
// gives: the same items, the same error.
func FuzzDecodeBytesStreams(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b), "audiences", 0)
	}
	f.Add([]byte(`[{"id":7,"count":"12"}, {"id":"x"} ,{"status":"error"}]`), "", 0)
	f.Add([]byte(`[{"status":"error","message":"no"},{"id":1}] `), "", 0)
	f.Add([]byte(`[{"audiences":[{"id":1},{"id":2}]},{"id":3}]`), "audiences", 2)
	f.Add([]byte(`[{"id":1},{"id":{}},{"id":2}]`), "", 0)
	f.Fuzz(func(t *testing.T, data []byte, key string, max int) {
		if max < 0 || max > 8 {
			return
		}
		var mem, streamed, trickled Collect[fuzzItem]
		errMem := DecodeBytes[fuzzItem](data, key, max, &mem)
		errStream := Decode[fuzzItem](bytes.NewReader(data), key, max, &streamed)
		if fmt.Sprint(errMem) != fmt.Sprint(errStream) {
			t.Fatalf("%q: from memory: %v; streamed: %v", data, errMem, errStream)
		}
		if errMem == nil && !reflect.DeepEqual(mem.Items, streamed.Items) {
			t.Fatalf("%q: from memory %+v; streamed %+v", data, mem.Items, streamed.Items)
		}
		// A byte at a time, the items are the same (the error may quote
		// less of what was read).
		errTrickled := Decode[fuzzItem](iotest.OneByteReader(bytes.NewReader(data)), key, max, &trickled)
		if (errTrickled == nil) != (errMem == nil) || (errMem == nil && !reflect.DeepEqual(mem.Items, trickled.Items)) {
			t.Fatalf("%q: from memory %+v, %v; a byte at a time %+v, %v", data, mem.Items, errMem, trickled.Items, errTrickled)
		}
	})
}

// FuzzFieldOf checks fieldOf, which walks an object's fields in place,
// against encoding/json's tokens: the first field named key, escaped names
// undone.
func FuzzFieldOf(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b), "audiences")
	}
	f.Add([]byte(`{"a\u0075diences":[1],"audiences":[2]}`), "audiences")
	f.Add([]byte(`{"x":{"audiences":1},"Audiences":2}`), "audiences")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		if !json.Valid(data) {
			return
		}
		got, found, err := fieldOf(data, key)
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		var want json.RawMessage
		wantFound := false
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, _ := dec.Token(); tok == json.Delim('{') {
			for dec.More() {
				tok, _ := dec.Token()
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					t.Fatal(err)
				}
				if name, _ := tok.(string); name == key && !wantFound {
					want, wantFound = v, true
				}
			}
		}
		if found != wantFound || !bytes.Equal(got, want) {
			t.Fatalf("%q, %q: %q %v; encoding/json: %q %v", data, key, got, found, want, wantFound)
		}
	})
}
