package chatinctest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
)

// Limits on what a request may carry.
const (
	maxJSONBody   = 32 << 20  // a JSON request body
	maxUploadBody = 256 << 20 // a multipart upload, file included
	maxFormValue  = 64 << 10  // one text part of an upload
)

// call is one request being answered: what the endpoints read and write.
type call struct {
	h     *Handler
	r     *http.Request
	w     *recorder
	entry *Request  // the request's entry in the log
	body  []byte    // a JSON body, read (and logged) before the endpoint runs
	acted bool      // the API has acted on it (an ActFirst fault): its body is read and logged
	held  *heldBody // the request body, as charged to the body budget
}

// fail answers err as {"status":"error","message":...}, with the status
// statusOf gives. It first reads what is left of the request body, so that
// a client still sending (an upload rejected at line 17) gets to read the
// answer instead of a reset connection.
func (c *call) fail(err error) {
	status, message := statusOf(err)
	var he *httpError
	if errors.As(err, &he) && he.retryAfter != "" {
		c.w.Header().Set("Retry-After", he.retryAfter)
	}
	c.discardBody(maxUploadBody)
	writeJSON(c.w, status, map[string]string{"status": "error", "message": message})
}

// discardBody reads what is left of the request body, up to n bytes,
// without charging it to the body budget: it is not held.
func (c *call) discardBody(n int64) {
	if c.held != nil {
		c.held.discard()
	}
	_, _ = io.CopyN(io.Discard, c.r.Body, n)
}

// success answers {"status":"success","message":...,<fields>}: what a
// request changed.
func (c *call) success(message string, fields map[string]any) error {
	body := map[string]any{"status": "success", "message": message}
	maps.Copy(body, fields)
	return c.reply(body)
}

// reply answers 200 with v as JSON.
func (c *call) reply(v any) error {
	writeJSON(c.w, http.StatusOK, v)
	return nil
}

// writeJSON writes v as the JSON body of a status answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a write error means the client has gone
}

// readBody reads a JSON request body, up to maxJSONBody: what it read,
// and an error (413 beyond the limit). The route logs the body.
func (c *call) readBody() ([]byte, error) {
	if c.r.ContentLength > maxJSONBody {
		return nil, bodyError("reading the body", &http.MaxBytesError{Limit: maxJSONBody})
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w.ResponseWriter, c.r.Body, maxJSONBody))
	if err != nil {
		return body, bodyError("reading the body", err)
	}
	return body, nil
}

// decode decodes the request's JSON object, read by the route, into v. An
// empty body (or null) is an empty object. A field v does not name is a
// warning, or in strict mode a 400 (see checkUnknownFields).
func (c *call) decode(v any) error {
	body := c.body
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) && trailingComma(body, syntaxErr.Offset) {
			return invalid("malformed JSON: a trailing comma before the '%c' at byte %d: JSON allows no comma after the last element",
				body[syntaxErr.Offset-1], syntaxErr.Offset)
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("malformed JSON: unexpected data after the object")
	}
	return c.checkUnknownFields(v, body)
}

// jsonError turns a decoding error into a 400 that names the field.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return invalid("malformed JSON: the body must be a JSON object, not %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return invalid("%s: expected %s, got %s", typeErr.Field, kindName(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return invalid("malformed JSON: %v (at byte %d)", err, syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("malformed JSON: unexpected end of the body")
	default:
		return invalid("malformed JSON: %v", err)
	}
}

// kindName names the JSON kind a Go type decodes from.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// bodyError describes a failure to read the request body: 413 when it is
// over the limit, else 400.
func bodyError(what string, err error) error {
	var big *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &big):
		return httpErrorf(http.StatusRequestEntityTooLarge, "request body too large: the limit is %d bytes", big.Limit)
	case errors.As(err, &he):
		return he // past the body budget
	}
	return invalid("%s: %v", what, err)
}

// jsonText returns a JSON string, number or boolean as text; null or absent
// is "". label names the value in the error for an object or array.
func jsonText(label string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", invalid("%s: %v", label, err)
		}
		return s, nil
	case raw[0] == '{' || raw[0] == '[':
		return "", invalid("%s: expected a string, number or boolean", label)
	default:
		return string(raw), nil // a number or a boolean, as written
	}
}
