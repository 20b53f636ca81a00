package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"sort"
	"strings"
)

// WarningHeader is the response header that carries a warning about a
// request the simulator accepted but the API may not treat as its sender
// expects, such as a JSON field the API does not know. There is one header
// value per warning.
const WarningHeader = "X-Chatinc-Mock-Warning"

// maxWarnings caps the warnings of one request.
const maxWarnings = 10

// checkFields looks for the top-level fields of body that v (a pointer to
// the endpoint's request struct) does not name, exactly as the API spells
// them. Each one is a warning (WarningHeader, the request log and the
// simulator's logger) or, in strict mode, a 400 naming them all.
func (c *call) checkFields(v any, body []byte) error {
	fields := unknownFields(v, body)
	if len(fields) == 0 {
		return nil
	}
	if c.sim.strict {
		msgs := make([]string, len(fields))
		for i, f := range fields {
			msgs[i] = "unknown field " + f.name + f.hint
		}
		return badRequest("%s", strings.Join(msgs, "; "))
	}
	for _, f := range fields {
		c.warn("unknown field " + f.name + " ignored" + f.hint)
	}
	return nil
}

// warn adds a warning to the answer, the request log and the logger. It
// must run before the answer is written.
func (c *call) warn(msg string) {
	c.w.Header().Add(WarningHeader, msg) // printable ASCII: names are quoted with %+q
	c.sim.log.update(c.entry, func(e *Request) { e.Warnings = append(e.Warnings, msg) })
	if l := c.sim.logger; l != nil {
		l.Warn(msg, slog.String("method", c.r.Method), slog.String("path", c.r.URL.Path))
	}
}

// unknownField is a top-level field of a request that the API does not
// know: its name, quoted, and a hint (starting with a space or colon) or "".
type unknownField struct{ name, hint string }

// unknownFields returns each top-level field of the JSON object body that
// the struct v points to has no exact json name for, in the body's order,
// with a hint when a known name is close.
func unknownFields(v any, body []byte) []unknownField {
	known := jsonNames(v)
	if known == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []unknownField
	for dec.More() && len(out) < maxWarnings {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return out
		}
		if _, ok := known[key]; ok {
			continue
		}
		f := unknownField{name: fmt.Sprintf("%+q", key)}
		if nested := nestedKnown(val, known); len(nested) > 0 {
			f.hint = fmt.Sprintf(": the API takes %s at the top level of the body, not inside %s", strings.Join(nested, ", "), f.name)
		} else if s := suggest(key, known); s != "" {
			f.hint = fmt.Sprintf(" (did you mean %+q?)", s)
		}
		out = append(out, f)
	}
	return out
}

// jsonNames returns the JSON names of the fields of the struct v points to,
// or nil when v is not a pointer to a struct.
func jsonNames(v any) map[string]struct{} {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	t = t.Elem()
	names := make(map[string]struct{}, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case name == "":
			names[f.Name] = struct{}{}
		default:
			names[name] = struct{}{}
		}
	}
	return names
}

// nestedKnown returns the known field names that raw, when it is an
// object, holds: {"options": {"runImmediately": true}} sent to an endpoint
// that takes runImmediately at the top level.
func nestedKnown(raw json.RawMessage, known map[string]struct{}) []string {
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
func suggest(key string, known map[string]struct{}) string {
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

// checkImageURL refuses an image URL that is not an absolute http(s) URL:
// WhatsApp fetches the image, so "my-imageurl" cannot work.
func checkImageURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badRequest("%s: %q is not an absolute http(s) URL", field, raw)
	}
	return nil
}
