package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/bench/internal/kit"
)

// baseline is the hand-written net/http + encoding/json client, written as
// strongly as we know how: the SDK's transport and pool (kit.Transport);
// the base URL parsed once, and each path's request built once and then
// copied per call (Request.WithContext), its header map made once at its
// final size and shared, read-only, by every call; request bodies encoded
// into pooled buffers; one json.Decoder per answer, reading the body as it
// streams.
type baseline struct {
	hc   *http.Client
	base *url.URL
	reqs sync.Map // method+" "+path → *http.Request, the template of its calls
}

func newBaseline(hc *http.Client, baseURL string) *baseline {
	u, err := url.Parse(baseURL + "/v1/")
	if err != nil {
		panic(err)
	}
	return &baseline{hc: hc, base: u}
}

// The header values every request carries, shared.
var (
	authValue = []string{kit.APIKey}
	uaValue   = []string{kit.UserAgent}
	jsonValue = []string{"application/json"}
)

// template returns the request of method and path (relative to the base
// URL), built on first use.
func (bl *baseline) template(method, path string, body bool) *http.Request {
	key := method + " " + path
	if r, ok := bl.reqs.Load(key); ok {
		return r.(*http.Request)
	}
	u := bl.base.JoinPath(path)
	h := http.Header{"Authorization": authValue, "User-Agent": uaValue, "Accept": jsonValue}
	if body {
		h["Content-Type"] = jsonValue
	}
	r, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		panic(err)
	}
	r.Header = h
	got, _ := bl.reqs.LoadOrStore(key, r)
	return got.(*http.Request)
}

// send makes the request (body nil: none) and gives the body of a 2xx
// answer to read.
func (bl *baseline) send(ctx context.Context, method, path string, body []byte, read func(io.Reader) error) error {
	req := bl.template(method, path, body != nil).WithContext(ctx)
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body)) // known to net/http to be in memory
		req.ContentLength = int64(len(body))
	}
	resp, err := bl.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := read(resp.Body); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body) // to its end, so that the connection is reused
	return err
}

// do decodes a 2xx answer into v with one json.Decoder.
func (bl *baseline) do(ctx context.Context, method, path string, body []byte, v any) error {
	return bl.send(ctx, method, path, body, func(r io.Reader) error { return json.NewDecoder(r).Decode(v) })
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// write encodes body as json.Marshal does into a pooled buffer, POSTs it
// and decodes the answer.
func (bl *baseline) write(ctx context.Context, path string, body any) (*kit.PlainResult, error) {
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	if err := json.NewEncoder(buf).Encode(body); err != nil {
		return nil, err
	}
	var r kit.PlainResult
	// Encode ends with a newline json.Marshal does not write.
	return &r, bl.do(ctx, http.MethodPost, path, buf.Bytes()[:buf.Len()-1], &r)
}

// marshal is write as most clients write it: json.Marshal, a new body
// each call (encoding/json's pooled buffer survives from call to call; the
// body it returns is a copy of it).
func (bl *baseline) marshal(ctx context.Context, path string, body any) (*kit.PlainResult, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var r kit.PlainResult
	return &r, bl.do(ctx, http.MethodPost, path, b, &r)
}

// groups is the small read.
func (bl *baseline) groups(ctx context.Context) ([]kit.PlainGroup, error) {
	var g []kit.PlainGroup
	return g, bl.do(ctx, http.MethodPost, "retrieve/variable/groups", nil, &g)
}

// details collects a campaign's results with one Decode of the array.
func (bl *baseline) details(ctx context.Context) ([]kit.PlainDetail, error) {
	var rows []kit.PlainDetail
	return rows, bl.do(ctx, http.MethodPost, "retrieve/campaign", kit.DetailsRequest, &rows)
}

// detailsTokens collects a campaign's results with a token loop: '[', then
// a Decode into the same struct per row, appended, then ']'. Unlike one
// Decode of the array, it never holds the whole answer.
func (bl *baseline) detailsTokens(ctx context.Context) ([]kit.PlainDetail, error) {
	var rows []kit.PlainDetail
	err := bl.stream(ctx, func(d *kit.PlainDetail) { rows = append(rows, *d) })
	return rows, err
}

// stream is the token loop: one json.Decoder over the body, '[' then a row
// at a time into one struct, given to f.
func (bl *baseline) stream(ctx context.Context, f func(*kit.PlainDetail)) error {
	return bl.send(ctx, http.MethodPost, "retrieve/campaign", kit.DetailsRequest, func(r io.Reader) error {
		dec := json.NewDecoder(r)
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			var row kit.PlainDetail
			if err := dec.Decode(&row); err != nil {
				return err
			}
			f(&row)
		}
		_, err := dec.Token()
		return err
	})
}

// The validation-equal baselines: the checks the SDK makes before it sends
// a bulk write, written by hand (not by calling the SDK), then the bare
// baseline's encoding.

// addContactsChecked is AddContactsToAudience's checks, then the bare write.
func (bl *baseline) addContactsChecked(ctx context.Context, id string, cs []chatinc.Contact) (*kit.PlainResult, error) {
	if err := checkName("id", id); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("contacts: at least one contact is required")
	}
	for i, c := range cs {
		if err := checkNumber(c.Number); err != nil {
			return nil, fmt.Errorf("contacts[%d].number: %w", i, err)
		}
	}
	return bl.write(ctx, "create/audience", kit.PlainAddContacts{ID: id, Contacts: cs})
}

// createGroupChecked is CreateVariableGroup's checks on the plain struct,
// then the bare write: the group's ID, name and description; its fields
// (at least one, each a name, none "number", no duplicate); each row's
// number, and each value valid UTF-8 (json.Marshal would replace a bad
// byte with U+FFFD). A plain struct cannot hold a value for a field the
// group does not have, the check the SDK makes on a Row's map.
func (bl *baseline) createGroupChecked(ctx context.Context, p kit.PlainGroupParams) (*kit.PlainResult, error) {
	if err := checkName("id", p.ID); err != nil {
		return nil, err
	}
	if err := checkName("name", p.Name); err != nil {
		return nil, err
	}
	if !utf8.ValidString(p.Description) {
		return nil, fmt.Errorf("description: not valid UTF-8")
	}
	if len(p.Fields) == 0 {
		return nil, fmt.Errorf("fields: at least one field is required")
	}
	for i, f := range p.Fields {
		if err := checkName("field", f); err != nil {
			return nil, fmt.Errorf("fields[%d]: %w", i, err)
		}
		if f == "number" || slices.Contains(p.Fields[:i], f) {
			return nil, fmt.Errorf("fields[%d]: %q is reserved or a duplicate", i, f)
		}
	}
	for i := range p.Values {
		r := &p.Values[i]
		if err := checkNumber(r.Number); err != nil {
			return nil, fmt.Errorf("values[%d].number: %w", i, err)
		}
		if !utf8.ValidString(r.City) || !utf8.ValidString(r.FirstName) || !utf8.ValidString(r.LastName) {
			return nil, fmt.Errorf("values[%d]: a value is not valid UTF-8", i)
		}
	}
	return bl.write(ctx, "create/variable/group", p)
}

// checkName is the SDK's rule for an ID, a name or a field name: required,
// not blank, valid UTF-8, no control character.
func checkName(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("%s: required", field)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: not valid UTF-8", field)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%s: holds a control character", field)
	}
	return nil
}

// checkNumber is the SDK's phone number rule (chatinc.NormalizeNumber):
// after removing spaces, no-break spaces, dashes, dots and parentheses,
// and reading a leading "+" or "00" as the international prefix, 7 to 15
// digits, the first not 0, and nothing else. A number already in normal
// form ("+" and digits) is checked by a byte loop alone.
func checkNumber(s string) error {
	if len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] != '0' {
		i := 1
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == len(s) {
			return nil
		}
	}
	t := strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(t, "+")
	if !ok {
		rest, _ = strings.CutPrefix(t, "00")
	}
	digits, first := 0, rune(0)
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			if digits == 0 {
				first = r
			}
			digits++
		case r == ' ' || r == '\u00a0' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return fmt.Errorf("%q is not a phone number", s)
		}
	}
	if digits < 7 || digits > 15 || first == '0' {
		return fmt.Errorf("%q is not a phone number", s)
	}
	return nil
}
