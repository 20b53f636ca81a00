package chatinc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/chatinc/chatinc-go/internal/wire"
)

// credentials holds the API key and finds it in text a server sent back.
//
// A Client keeps it behind a func (its get method): fmt, printing a Client
// by reflection (in an unexported struct field, where it cannot call the
// Client's Format method), prints a func as an address whatever the verb,
// whereas it prints what a pointer points to for some verbs (%s, %d).
type credentials struct {
	key string
	// authorization is the value of the Authorization header, the key as is:
	// shared by the client's requests, as the other header values are.
	authorization []string
	// full matches the key with each character as written or escaped as a
	// server or URL might escape it (\u0073, \/, %2F, &#47;, &#x2F;).
	full *regexp.Regexp
	// edge matches the start of the key, at least minPartialKey
	// characters, where text was cut: before an ellipsis (wire.Truncate's
	// mark); tail matches it at the end of text that was cut there.
	edge, tail *regexp.Regexp
	// window is how many bytes the key takes at most once escaped.
	window int
	// start is the key's first minPartialKey characters: any match of the
	// patterns holds it as written, or holds an escape (\, %, &).
	start string
}

// mayHold reports whether s may hold a match, as written or once its
// escapes are undone: a linear test that spares the patterns (slow on long
// text) in the common case. Every match holds the key's start.
func (k *credentials) mayHold(s string) bool {
	if strings.Contains(s, k.start) {
		return true
	}
	return strings.ContainsAny(s, `\%&`) && strings.Contains(undoEscapes(s), k.start)
}

// undoEscapes undoes, in one pass, every escape charPattern accepts:
// \uXXXX (and surrogate pairs), \/, %XX, &#N; and &#xH;. Anything else is
// kept.
func undoEscapes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := unescapeAt(s[i:])
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		if utf16.IsSurrogate(r) {
			if r2, n2 := unescapeAt(s[i+n:]); n2 > 0 {
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					r, n = p, n+n2
				}
			}
		}
		if r < 0 { // a %XX byte
			b.WriteByte(byte(-r - 1))
		} else {
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// unescapeAt decodes the escape s starts with, if any: the rune (or, for
// %XX, -1 minus the byte) and the escape's length, 0 when there is none.
func unescapeAt(s string) (r rune, n int) {
	switch {
	case strings.HasPrefix(s, `\/`):
		return '/', 2
	case strings.HasPrefix(s, `\u`) && len(s) >= 6:
		if v, err := strconv.ParseUint(s[2:6], 16, 32); err == nil {
			return rune(v), 6
		}
	case s[0] == '%' && len(s) >= 3:
		if v, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
			return -1 - rune(v), 3
		}
	case strings.HasPrefix(s, "&#"):
		end := strings.IndexByte(s, ';')
		if end < 3 || end > 16 {
			return 0, 0
		}
		num, base := s[2:end], 10
		if num[0] == 'x' || num[0] == 'X' {
			num, base = num[1:], 16
		}
		if v, err := strconv.ParseUint(num, base, 32); err == nil && v <= unicode.MaxRune {
			return rune(v), end + 1
		}
	}
	return 0, 0
}

// minPartialKey is the shortest start of the key redacted where text was
// cut. Shorter ones ("sk_") say nothing about the key.
const minPartialKey = 4

// newCredentials compiles the patterns that find key.
func newCredentials(key string) *credentials {
	var chars []string
	for _, r := range key {
		chars = append(chars, charPattern(r))
	}
	// The start of the key, of minPartialKey characters or more: the
	// first ones, then each further one optional, nested so that only a
	// run from the first character matches.
	n := min(minPartialKey, len(chars))
	prefix := strings.Join(chars[:n], "")
	rest := ""
	for i := len(chars) - 1; i >= n; i-- {
		rest = "(?:" + chars[i] + rest + ")?"
	}
	// A cut may also fall inside the escape of the next character.
	const partialEscape = `(?:\\(?:u[0-9a-fA-F]{0,3})?|%[0-9a-fA-F]?|&(?:#[xX]?[0-9a-fA-F]*)?)?`
	return &credentials{
		key:           key,
		authorization: []string{key},
		full:          regexp.MustCompile(strings.Join(chars, "")),
		edge:          regexp.MustCompile("(?:" + prefix + rest + ")" + partialEscape + "…"),
		tail:          regexp.MustCompile("(?:" + prefix + rest + ")" + partialEscape + "$"),
		window:        12 * len(key), // "&#x" + 6 hex digits + ";" at most per byte
		start:         string([]rune(key)[:n]),
	}
}

// charPattern matches r as written, or escaped in JSON, a URL or HTML.
func charPattern(r rune) string {
	alts := []string{regexp.QuoteMeta(string(r)), fmt.Sprintf(`\\u(?i:%04x)`, r), fmt.Sprintf("&#0*%d;", r), fmt.Sprintf("&#[xX]0*(?i:%x);", r)}
	if r == '/' {
		alts = append(alts, `\\/`)
	}
	if r > 0xffff { // JSON escapes it as a surrogate pair
		r1, r2 := utf16Pair(r)
		alts = append(alts, fmt.Sprintf(`\\u(?i:%04x)\\u(?i:%04x)`, r1, r2))
	}
	var pct strings.Builder
	buf := make([]byte, utf8.UTFMax)
	for _, b := range buf[:utf8.EncodeRune(buf, r)] {
		fmt.Fprintf(&pct, "%%(?i:%02x)", b)
	}
	alts = append(alts, pct.String())
	return "(?:" + strings.Join(alts, "|") + ")"
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// get returns k; a Client holds k as this method value.
func (k *credentials) get() *credentials { return k }

// Format implements fmt.Formatter: the key never prints.
func (*credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// redact replaces the key in s, raw or escaped, and a start of it cut off
// by an ellipsis; cut says that s itself was cut at its end, so that a
// start of the key there is replaced too.
func (k *credentials) redact(s string, cut bool) string {
	if !k.mayHold(s) {
		return s
	}
	s = k.full.ReplaceAllLiteralString(s, "[redacted]")
	s = k.edge.ReplaceAllLiteralString(s, "[redacted]…")
	if cut {
		s = k.tail.ReplaceAllLiteralString(s, "[redacted]")
	}
	return s
}

// leaks reports whether s holds the key or the start of it before an
// ellipsis.
func (k *credentials) leaks(s string) bool {
	return k.mayHold(s) && (k.full.MatchString(s) || k.edge.MatchString(s))
}

// excerpt is the start of a response body, at most maxErrorBody bytes,
// with the key redacted before it is cut (so no part of it survives the
// cut). cut says that body is itself the start of a longer one.
func (k *credentials) excerpt(body []byte, cut bool) string {
	n := min(len(body), maxErrorBody+k.window)
	s := k.redact(string(body[:n]), cut || n < len(body))
	return k.redact(wire.Truncate(s, maxErrorBody), false)
}

// scrub removes the key from an error: from the URL of a *url.Error (a
// Location header may echo it), and from any error text that holds it.
func (k *credentials) scrub(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = k.redact(ue.URL, false)
		if ue.Err != nil && k.leaks(ue.Err.Error()) {
			ue.Err = &redactedError{msg: k.redact(ue.Err.Error(), false), err: ue.Err}
		}
	}
	if k.leaks(err.Error()) {
		return &redactedError{msg: k.redact(err.Error(), false), err: err}
	}
	return err
}

// failed is the error of call cl that ended with err, a transport, body,
// writer or context error, after what it was doing ("reading response"; ""
// for the round trip): every such error leaves a call through here, with
// the key scrubbed from it, since net/http quotes what a server sent (a
// GOAWAY's debug data, a malformed status line) in its errors.
func (cl *call) failed(what string, err error) error {
	err = cl.c.key().scrub(err)
	if what == "" {
		return fmt.Errorf("chatinc: %s %s: %w", cl.req.Method, cl.path, err)
	}
	return fmt.Errorf("chatinc: %s %s: %s: %w", cl.req.Method, cl.path, what, err)
}

// redactedError is an error whose text held the key: it says msg, the
// text with the key redacted, and matches what err matches through
// errors.Is and errors.As. It does not unwrap, so that walking the chain
// with errors.Unwrap never reaches the text with the key.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool   { return errors.As(e.err, target) }

// header returns a copy of an answer's headers without Set-Cookie and
// without any value that holds the key.
func (k *credentials) header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for name, values := range h {
		if http.CanonicalHeaderKey(name) == "Set-Cookie" || k.leaks(name) {
			continue
		}
		var kept []string
		for _, v := range values {
			if !k.leaks(v) {
				kept = append(kept, v)
			}
		}
		if kept != nil {
			out[name] = kept
		}
	}
	return out
}
