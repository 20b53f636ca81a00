// Package wire decodes the Chat Inc API's response shapes, many of which the
// API's documentation leaves open. Every decoder here accepts the documented
// shape and the likely variants, ignores unknown fields, and returns an error
// (never panics) on anything else.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNoList reports a JSON object in which no list of items could be found.
var ErrNoList = errors.New("no list of items in the response")

// fallbackKeys are the names an API commonly gives the list inside an
// envelope object, tried when the call's own name is absent.
var fallbackKeys = []string{"data", "items", "results"}

// envelope is the status/message pair the API puts on its answers.
type envelope struct {
	Status  String `json:"status"`
	Message String `json:"message"`
	Error   String `json:"error"`
}

// ErrorMessage reports whether a JSON body says {"status":"error"} (at its top
// level, or in the first element of a top-level array) and returns its message.
// Only that object is decoded; the rest of an array is scanned (not
// decoded) only when its first element is an error, to check that the
// body is JSON.
func ErrorMessage(body []byte) (msg string, isError bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", false
	}
	if body[0] == '[' {
		obj, err := first(body)
		if err != nil || obj == nil {
			return "", false
		}
		if msg, isError = envelopeMessage(obj); !isError || !json.Valid(body) {
			return "", false
		}
		return msg, true
	}
	return envelopeMessage(body)
}

// first returns an answer's object: data itself, or, when data is an array,
// its first element (nil for an empty array). The rest of an array is not
// decoded.
func first(data []byte) (json.RawMessage, error) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '[' {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if !dec.More() {
		return nil, nil
	}
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil, err
	}
	return first, nil
}

// text returns a JSON value as text: a scalar as String decodes it, an
// object or array as its JSON.
func text(v json.RawMessage) string {
	var s String
	if s.UnmarshalJSON(v) == nil {
		return string(s)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return ""
	}
	return buf.String()
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// ErrorText turns an error response body into a short human message: the
// JSON "message" (or "error") field, the <title> of an HTML page, or the
// start of the text. It returns "" when the body holds nothing readable.
func ErrorText(body []byte, max int) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	if body[0] == '{' || body[0] == '[' {
		if msg, _ := ErrorMessage(body); msg != "" {
			return Truncate(msg, max)
		}
		var env envelope
		if json.Unmarshal(body, &env) == nil {
			if env.Message != "" {
				return Truncate(string(env.Message), max)
			}
			if env.Error != "" {
				return Truncate(string(env.Error), max)
			}
		}
	}
	if body[0] == '<' {
		if m := titleRE.FindSubmatch(body); m != nil {
			return Truncate(strings.TrimSpace(html.UnescapeString(string(m[1]))), max)
		}
		return ""
	}
	if !utf8.Valid(body) {
		return ""
	}
	return Truncate(strings.Join(strings.Fields(string(body)), " "), max)
}

// Truncate cuts s to at most max bytes at a rune boundary, marking the cut.
func Truncate(s string, max int) string {
	if max < 0 {
		max = 0
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// describe names the kind of a JSON value for an error message.
func describe(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch c := v[0]; {
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	case c == '<':
		return "HTML"
	}
	return strconv.Quote(Truncate(string(v), 20))
}

// String decodes a JSON string, number or boolean as text, and null as "".
// APIs drift between "42" and 42 for IDs and phone numbers; this accepts both.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		if plain := b[1:max(len(b)-1, 1)]; len(b) >= 2 && b[len(b)-1] == '"' && isPlainJSONText(plain) {
			*s = String(plain) // no escapes to undo: the common case, without a second decode
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case len(b) > 0 && (b[0] == '-' || b[0] == 't' || b[0] == 'f' || (b[0] >= '0' && b[0] <= '9')):
		if !json.Valid(b) {
			return fmt.Errorf("invalid JSON value %q", Truncate(string(b), 20))
		}
		*s = String(b)
	default:
		return fmt.Errorf("expected a string, got %s", describe(b))
	}
	return nil
}

// isPlainJSONText reports whether b, the inside of a JSON string, holds no
// escape, quote, control character or invalid UTF-8, so that it decodes to
// itself.
func isPlainJSONText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}

// Int decodes a JSON number, or a string holding one, as an int; null as 0.
type Int int

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil || f != f || f > 1<<53 || f < -(1<<53) {
		return fmt.Errorf("expected an integer, got %q", Truncate(string(s), 20))
	}
	*n = Int(f)
	return nil
}

// Time decodes a Unix timestamp (seconds, or milliseconds when it is too
// large to be seconds), as a number or a string, or an RFC 3339 string.
// Zero, null and "" decode as the zero time.
type Time time.Time

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	if f, err := strconv.ParseFloat(string(s), 64); err == nil {
		switch {
		case f == 0:
			*t = Time{}
		case f > 1e11 || f < -1e11:
			*t = Time(time.UnixMilli(int64(f)))
		default:
			*t = Time(time.Unix(int64(f), 0))
		}
		return nil
	}
	v, err := time.Parse(time.RFC3339, string(s))
	if err != nil {
		return fmt.Errorf("expected a Unix time or RFC 3339 time, got %q", Truncate(string(s), 40))
	}
	*t = Time(v)
	return nil
}
