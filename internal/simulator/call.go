package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"strings"
)

// Limits on what a request may carry.
const (
	maxJSONBody   = 32 << 20  // a JSON request body
	maxUploadBody = 256 << 20 // a multipart upload, file included
	maxFormValue  = 64 << 10  // one text part of an upload
)

// call is one request being answered: what the endpoints read and write.
type call struct {
	sim   *Simulator
	r     *http.Request
	w     *recorder
	entry *Request // the request's entry in the log
	acted bool     // the API has acted on it (an ActFirst fault): its body is read and logged
}

// apiError is an answer in the API's error shape: its status and message.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

// errorf is an error answer with status and a formatted message.
func errorf(status int, format string, args ...any) error {
	return &apiError{status, fmt.Sprintf(format, args...)}
}

// badRequest is a 400 answer whose message names the field at fault.
func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}

// notFound is a 404 answer.
func notFound(format string, args ...any) error {
	return errorf(http.StatusNotFound, format, args...)
}

// fail answers err as {"status":"error","message":...}, with the status of
// an *apiError or else 500. It first reads what is left of the request
// body, so that a client still sending (an upload rejected at line 17) gets
// to read the answer instead of a reset connection.
func (c *call) fail(err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusInternalServerError, err.Error()} // not expected: every endpoint error is an *apiError
	}
	_, _ = io.CopyN(io.Discard, c.r.Body, maxUploadBody)
	writeJSON(c.w, ae.status, map[string]string{"status": "error", "message": ae.message})
}

// written is what a request changed: the message of its answer, and the
// fields (IDs, counts) to go with it.
type written struct {
	message string
	fields  map[string]any
}

// answer answers what a request changed,
// {"status":"success","message":...,<fields>}, or returns the error that
// kept it from changing anything.
func (c *call) answer(w written, err error) error {
	if err != nil {
		return err
	}
	body := map[string]any{"status": "success", "message": w.message}
	maps.Copy(body, w.fields)
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

// decode reads the request's JSON object into v, logging the body. An empty
// body (or null) is an empty object. A top-level field v does not name is a
// warning, or in strict mode a 400 (see checkFields).
func (c *call) decode(v any) error {
	if c.r.ContentLength > maxJSONBody {
		return bodyError("reading the body", &http.MaxBytesError{Limit: maxJSONBody})
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w.ResponseWriter, c.r.Body, maxJSONBody))
	c.sim.log.setBody(c.entry, body)
	if err != nil {
		return bodyError("reading the body", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) && trailingComma(body, syntaxErr.Offset) {
			return badRequest("malformed JSON: a trailing comma before the '%c' at byte %d: JSON allows no comma after the last element",
				body[syntaxErr.Offset-1], syntaxErr.Offset)
		}
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON: unexpected data after the object")
	}
	return c.checkFields(v, body)
}

// jsonError turns a decoding error into a 400 that names the field.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return badRequest("malformed JSON: the body must be a JSON object, not %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return badRequest("%s: expected %s, got %s", typeErr.Field, kindName(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return badRequest("malformed JSON: %v (at byte %d)", err, syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: unexpected end of the body")
	default:
		return badRequest("malformed JSON: %v", err)
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
	if errors.As(err, &big) {
		return errorf(http.StatusRequestEntityTooLarge, "request body too large: the limit is %d bytes", big.Limit)
	}
	return badRequest("%s: %v", what, err)
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
			return "", badRequest("%s: %v", label, err)
		}
		return s, nil
	case raw[0] == '{' || raw[0] == '[':
		return "", badRequest("%s: expected a string, number or boolean", label)
	default:
		return string(raw), nil // a number or a boolean, as written
	}
}

// required checks name/value pairs: the first blank value is a 400
// "<name> is required".
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return badRequest("%s is required", pairs[i])
		}
	}
	return nil
}
