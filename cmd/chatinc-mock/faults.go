package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// faultGrammar is how -fault, -drop and -delay are written, for -h.
const faultGrammar = `Faults (-fault, -drop, -delay; each repeatable, queued per path in the order given):
  -fault '[METHOD] PATH WORD...'   the next requests to PATH get an injected answer
  -drop  '[METHOD] PATH WORD...'   the same with drop: the connection closes, no answer
  -delay '[METHOD] PATH DURATION WORD...'  the same with delay=DURATION
WORDs:
  status=N          the answer's HTTP status (200-599)
  retry-after=V     a Retry-After header: seconds, or an HTTP date in "double quotes"
  body=TEXT         the answer's body (default: the API's error JSON); "double quotes" for spaces
  content-type=T    the body's Content-Type
  drop              read the request, then close the connection without answering
  delay=DURATION    wait before answering (with nothing else: then answer as the API does)
  act-first         carry the request out first (a campaign is run), then answer as the fault says
  times=N           how many requests the fault takes (default 1)
PATH is relative to the base URL (/run/campaign). METHOD, if given, is checked to
be an HTTP method; faults are per path, whatever the method.
Example: -fault 'POST /run/campaign status=500 act-first times=1'`

// faultSpec is one fault given on the command line, for InjectFault.
type faultSpec struct {
	text  string // as written, for the start-up lines
	path  string
	times int
	fault chatinctest.Fault
}

// faultList collects the -fault, -drop and -delay flags in the order
// given: kind is the word the flag adds ("drop", "delay" or none).
type faultList struct {
	specs *[]faultSpec
	kind  string
}

func (l faultList) String() string { return "" }

func (l faultList) Set(s string) error {
	spec, err := parseFault(s, l.kind)
	if err != nil {
		return err
	}
	*l.specs = append(*l.specs, spec)
	return nil
}

// parseFault reads one fault in faultGrammar. kind "drop" adds the drop
// word; kind "delay" reads a bare DURATION after PATH as delay=DURATION.
func parseFault(s, kind string) (faultSpec, error) {
	words, err := splitWords(s)
	if err != nil {
		return faultSpec{}, fmt.Errorf("%q: %w", s, err)
	}
	spec := faultSpec{text: strings.TrimSpace("-" + cmp.Or(kind, "fault") + " " + strings.TrimSpace(s)), times: 1}
	if len(words) > 0 && isMethod(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return faultSpec{}, fmt.Errorf("%q: want [METHOD] PATH, with PATH starting with /, such as POST /run/campaign", s)
	}
	spec.path, words = words[0], words[1:]
	f := &spec.fault
	switch kind {
	case "drop":
		f.Drop = true
	case "delay":
		if len(words) == 0 || strings.Contains(words[0], "=") {
			return faultSpec{}, fmt.Errorf("%q: want a DURATION after PATH, such as 2s", s)
		}
		if f.Delay, err = parseDuration(words[0]); err != nil {
			return faultSpec{}, fmt.Errorf("%q: %w", s, err)
		}
		words = words[1:]
	}
	for _, w := range words {
		name, value, hasValue := strings.Cut(w, "=")
		switch name {
		case "drop", "act-first":
			if hasValue {
				return faultSpec{}, fmt.Errorf("%q: %s takes no value", s, name)
			}
			f.Drop = f.Drop || name == "drop"
			f.ActFirst = f.ActFirst || name == "act-first"
			continue
		case "status", "retry-after", "body", "content-type", "delay", "times":
			if !hasValue {
				return faultSpec{}, fmt.Errorf("%q: %s needs a value (%s=VALUE)", s, name, name)
			}
		default:
			return faultSpec{}, fmt.Errorf("%q: unknown word %q (want status=, retry-after=, body=, content-type=, drop, delay=, act-first, times=)", s, w)
		}
		switch name {
		case "status":
			n, err := strconv.Atoi(value)
			if err != nil || n < 200 || n > 599 {
				return faultSpec{}, fmt.Errorf("%q: status=%s: want an HTTP status from 200 to 599", s, value)
			}
			f.Status = n
		case "retry-after":
			f.RetryAfter = value
		case "body":
			f.Body = value
		case "content-type":
			f.ContentType = value
		case "delay":
			if f.Delay, err = parseDuration(value); err != nil {
				return faultSpec{}, fmt.Errorf("%q: %w", s, err)
			}
		case "times":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return faultSpec{}, fmt.Errorf("%q: times=%s: want a count of 1 or more", s, value)
			}
			spec.times = n
		}
	}
	if f.Drop && (f.Status != 0 || f.Body != "" || f.RetryAfter != "" || f.ContentType != "") {
		return faultSpec{}, fmt.Errorf("%q: drop sends no answer: not with status=, body=, retry-after= or content-type=", s)
	}
	if f.Status == 0 && !f.Drop && f.Delay == 0 {
		return faultSpec{}, fmt.Errorf("%q: say what the fault does: status=N, drop or delay=DURATION", s)
	}
	if f.Status == 0 && !f.Drop && (f.Body != "" || f.RetryAfter != "" || f.ContentType != "") {
		return faultSpec{}, fmt.Errorf("%q: body=, retry-after= and content-type= need status=N", s)
	}
	return spec, nil
}

// splitWords splits s at spaces; a word's value after "=" may be a Go
// double-quoted string, which may hold spaces.
func splitWords(s string) ([]string, error) {
	var words []string
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return words, nil
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		if eq := strings.Index(s[:end], "="); eq >= 0 && strings.HasPrefix(s[eq+1:], `"`) {
			q, err := strconv.QuotedPrefix(s[eq+1:])
			if err != nil {
				return nil, fmt.Errorf("unterminated or malformed quoted value after %q", s[:eq+1])
			}
			v, _ := strconv.Unquote(q)
			words = append(words, s[:eq+1]+v)
			s = s[eq+1+len(q):]
			if s != "" && !unicode.IsSpace(rune(s[0])) {
				return nil, errors.New("a space must follow a quoted value")
			}
			continue
		}
		words = append(words, s[:end])
		s = s[end:]
	}
}

func isMethod(w string) bool {
	switch w {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q: want a duration above 0, such as 500ms or 2s", s)
	}
	return d, nil
}

// parseRateLimit reads -rate-limit N/DURATION (10/1s; a bare unit, 10/s,
// is one of it) as chatinctest.WithRateLimit's n and per.
func parseRateLimit(s string) (int, time.Duration, error) {
	ns, ps, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return 0, 0, fmt.Errorf("-rate-limit %q: want N/DURATION with N of 1 or more, such as 10/1s or 100/m", s)
	}
	if ps != "" && (ps[0] < '0' || ps[0] > '9') {
		ps = "1" + ps
	}
	per, err := parseDuration(ps)
	if err != nil {
		return 0, 0, fmt.Errorf("-rate-limit %q: %w", s, err)
	}
	return n, per, nil
}

// parseReview reads -template-review DURATION[:STATUS]: every new
// template is PENDING for DURATION, then STATUS (APPROVED by default).
func parseReview(s string) (func(title, message string) (string, time.Duration), error) {
	ds, status, _ := strings.Cut(s, ":")
	d, err := time.ParseDuration(ds)
	if err != nil || d < 0 {
		return nil, fmt.Errorf("-template-review %q: want DURATION[:STATUS], such as 30s or 5s:REJECTED", s)
	}
	status = strings.ToUpper(status)
	switch status {
	case "":
		status = "APPROVED"
	case "APPROVED", "REJECTED":
	default:
		return nil, fmt.Errorf("-template-review %q: the status after the review is APPROVED or REJECTED", s)
	}
	return func(string, string) (string, time.Duration) { return status, d }, nil
}
