package chatinctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
)

// WarningHeader is the header of an answer to a request the server
// accepted with a warning, such as a JSON field the API does not know; it
// has one value per warning. The warnings are also in Request.Warnings.
const WarningHeader = "X-Chatinc-Mock-Warning"

// maxWarnings caps the warnings of one request.
const maxWarnings = 10

// checkUnknownFields looks for the fields of body that v (a pointer to the
// endpoint's request struct) does not name exactly as the API spells them:
// at the top level, and inside the objects of known fields (a button's
// "journeyID"). Each one is a warning (WarningHeader, the request log and
// the simulator's logger) or, in strict mode, a 400 naming them all.
func (c *call) checkUnknownFields(v any, body []byte) error {
	msgs := unknownFields(v, body)
	if len(msgs) == 0 {
		return nil
	}
	if c.h.strict {
		return invalid("%s", strings.Join(msgs, "; "))
	}
	for _, msg := range msgs {
		c.warn(msg)
	}
	return nil
}

// warn adds a warning to the answer, the request log and the logger. It
// must run before the answer is written.
func (c *call) warn(msg string) {
	c.w.Header().Add(WarningHeader, msg) // printable ASCII: names are quoted with %+q
	c.h.log.update(c.entry, func(e *Request) { e.Warnings = append(e.Warnings, msg) })
	if l := c.h.logger; l != nil {
		l.Warn(msg, slog.String("method", c.r.Method), slog.String("path", c.r.URL.Path))
	}
}

// unknownFields describes each field of the JSON object body that the
// struct v points to has no exact json name for, in the body's order, with
// a hint when a known name is close. Go's encoding/json matches names
// without regard to case; the API does not.
func unknownFields(v any, body []byte) []string {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	var out []string
	walkObject(t.Elem(), body, "", &out)
	return out
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkObject checks the keys of the JSON object raw against the struct type
// t, and the values of known keys against their types. prefix is where raw
// is in the body: "" at the top, "buttons[1]." inside.
func walkObject(t reflect.Type, raw []byte, prefix string, out *[]string) {
	known := jsonFields(t)
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for dec.More() && len(*out) < maxWarnings {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return
		}
		if ft, ok := known[key]; ok {
			walkValue(ft, val, prefix+key, out)
			continue
		}
		msg := fmt.Sprintf("unknown field %+q", prefix+key)
		if nested := nestedKnown(val, known); len(nested) > 0 && prefix == "" {
			msg += fmt.Sprintf(": the API takes %s at the top level of the body, not inside %+q", strings.Join(nested, ", "), key)
		} else if s := suggest(key, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %+q?)", prefix+s)
		}
		*out = append(*out, msg)
	}
}

// walkValue checks the JSON value raw at path against the type t: the
// objects of a struct, or of a slice of structs, are walked; other values
// are not.
func walkValue(t reflect.Type, raw []byte, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || reflect.PointerTo(t).Implements(unmarshalerType):
	case t.Kind() == reflect.Struct && raw[0] == '{':
		walkObject(t, raw, path+".", out)
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && raw[0] == '[':
		elem := t.Elem()
		for elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		if elem.Kind() != reflect.Struct || reflect.PointerTo(elem).Implements(unmarshalerType) {
			return
		}
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return
		}
		for i, e := range elems {
			walkValue(elem, e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// jsonFields returns the JSON names of the fields of the struct type t,
// with their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case name == "":
			fields[f.Name] = f.Type
		default:
			fields[name] = f.Type
		}
	}
	return fields
}

// nestedKnown returns the known field names that raw, when it is an
// object, holds: {"options": {"runImmediately": true}} sent to an endpoint
// that takes runImmediately at the top level.
func nestedKnown(raw json.RawMessage, known map[string]reflect.Type) []string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	var out []string
	for k := range obj {
		if _, ok := known[k]; ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// suggest returns the known name closest to key: the same but for case, or
// within two edits; or "".
func suggest(key string, known map[string]reflect.Type) string {
	best, bestDist := "", 3
	for name := range known {
		d := editDistance(strings.ToLower(key), strings.ToLower(name))
		if d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// trailingComma reports whether the JSON syntax error at offset (as
// json.SyntaxError gives it) is a comma right before a closing '}' or ']',
// which JavaScript object literals allow and JSON does not.
func trailingComma(body []byte, offset int64) bool {
	if offset < 1 || offset > int64(len(body)) {
		return false
	}
	if c := body[offset-1]; c != '}' && c != ']' {
		return false
	}
	before := bytes.TrimRight(body[:offset-1], " \t\r\n")
	return len(before) > 0 && before[len(before)-1] == ','
}
