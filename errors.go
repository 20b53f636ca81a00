package chatinc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatinc/chatinc-go/internal/wire"
)

// Sentinel errors. They match an *APIError through errors.Is, so callers can
// branch on the kind of failure and still reach the status and message with
// errors.As.
var (
	// ErrUnauthorized matches an *APIError with status 401 or 403: the API
	// key is missing, wrong or not allowed to make the call.
	ErrUnauthorized = errors.New("chatinc: unauthorized")
	// ErrNotFound matches an *APIError with status 404: the campaign,
	// audience or path does not exist.
	ErrNotFound = errors.New("chatinc: not found")
	// ErrRateLimited matches an *APIError with status 429.
	ErrRateLimited = errors.New("chatinc: rate limited")
)

// Errors that are not about the server's answer.
var (
	// ErrRedirectRefused is returned (wrapped) when the server redirects to
	// another host or from https to http. The SDK never follows such a
	// redirect, so the API key is not sent there.
	ErrRedirectRefused = errors.New("chatinc: redirect to another host or to clear-text http refused")
	// ErrResponseTooLarge is returned (wrapped) when a response body is
	// larger than the client's limit (see WithMaxResponseBytes).
	ErrResponseTooLarge = errors.New("chatinc: response body exceeds the size limit")
	// ErrFileChanged is returned (wrapped) when an upload's file, or a
	// reader of known size, changed between the moment the call measured
	// it (for Content-Length) and the moment it was sent: it grew, shrank
	// or was written to. The server never receives a complete upload of
	// it, and the call is not retried.
	ErrFileChanged = errors.New("chatinc: the upload's file changed while it was being sent")
	// ErrTemplateRejected is matched by the error of AwaitApproval, and by
	// the *CheckError of CheckRun (or of a RunCampaign made WithPreflight),
	// when the campaign's WhatsApp template was rejected: it cannot be
	// sent; create the campaign again with another message.
	ErrTemplateRejected = errors.New("chatinc: the campaign's WhatsApp template was rejected")
)

// isFinal reports whether err is one the retry rule takes as final, which
// no other attempt can mend: a refused redirect, too many redirects, an
// answer over the size cap, a file that changed (retry.Attempt.Final).
func isFinal(err error) bool {
	return err != nil && (errors.Is(err, ErrRedirectRefused) || errors.Is(err, errTooManyRedirects) ||
		errors.Is(err, ErrResponseTooLarge) || errors.Is(err, ErrFileChanged))
}

// maxErrorBody is how much of an error response body an *APIError keeps.
const maxErrorBody = 4 << 10

// APIError is an answer from the Chat Inc API that reports a failure: an HTTP
// status of 400 or more, or a 2xx answer whose body says
// {"status":"error"}. Match it with errors.As, or its kind with errors.Is and
// ErrUnauthorized, ErrNotFound or ErrRateLimited.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Message is the server's message: the "message" field of its JSON error
	// body, or else the start of the body's text, or else the status text.
	Message string
	// RetryAfter is the wait the server asked for in its Retry-After header,
	// or zero when it sent none.
	RetryAfter time.Duration
	// Method and Path identify the call, e.g. "POST" and "/run/campaign"
	// (relative to the base URL, with the query string if any).
	Method string
	Path   string
	// Body is the start of the response body (at most 4 KiB), for
	// diagnostics.
	Body string
	// Header is the answer's headers, for a request ID to quote to
	// support: Set-Cookie and any value holding the API key are removed.
	Header http.Header
}

// Error implements error. It holds the method, path, status and message,
// never a header or the API key.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("chatinc: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether the error is of the kind a sentinel names, so that
// errors.Is(err, ErrNotFound) holds for a 404.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// ValidationError reports input the SDK refused before sending anything:
// no request went on the wire.
type ValidationError struct {
	// Field names the offending input as the API names it, e.g. "title",
	// "buttons[2].url", "values[10].number" or "file".
	Field string
	// Reason says what is wrong with it.
	Reason string
	// Err is the underlying cause, if any (for example the *fs.PathError of
	// a file that cannot be opened); errors.Is and errors.As see through it.
	Err error
}

// Error implements error.
func (e *ValidationError) Error() string {
	s := "chatinc: invalid " + e.Field + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause, if any.
func (e *ValidationError) Unwrap() error { return e.Err }

// invalid is shorthand for a *ValidationError.
func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DecodeError reports a successful (2xx) answer whose body the SDK could not
// understand. The server received and accepted the request: for
// CreateCampaign and RunCampaign the messages may have gone out, so do not
// simply repeat such a call.
type DecodeError struct {
	// StatusCode is the answer's HTTP status (a 2xx).
	StatusCode int
	// Method and Path identify the call, e.g. "POST" and "/create/campaign"
	// (relative to the base URL).
	Method string
	Path   string
	// Body is the start of the response body (at most 4 KiB).
	Body string
	// Err is the decoding error.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("chatinc: %s %s: cannot decode %d response: %v", e.Method, e.Path, e.StatusCode, e.Err)
}

// Unwrap returns the decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ErrOutcomeUnknown matches an error of CreateCampaign or RunCampaign after
// which the API may have acted on the request, messages sent included: the
// request may have reached the API and no definite answer came back. That
// is a 500, 502, 504, a 503 (with or without Retry-After) or any other 5xx
// but 501; a 3xx the SDK did not follow (no Location, 300, 304, a refused
// redirect); a 2xx it could not read whole, decode (*DecodeError) or that
// exceeded WithMaxResponseBytes; a connection dropped or reset, an HTTP/2
// stream reset or GOAWAY; and a timeout or cancellation once a connection
// was obtained.
//
// It never matches a *ValidationError, a 4xx, a 501, a 2xx whose body says
// "status":"error" (the API answered), a dial failure, or an error of any
// other call. errors.As still finds the *APIError or *DecodeError, and
// errors.Is still finds context.DeadlineExceeded or context.Canceled.
//
// Such a call is never retried by the SDK. Before sending again, find out
// whether it went out: for RunCampaign, AwaitRun with the campaign's
// RunCount from before the call (FindCampaign), under a context of its own;
// for CreateCampaign, whose ID the caller does not have, create the
// template without RunImmediately and send it with RunCampaign, so that
// the ID is known. AwaitRun's own error matches it too when it cannot tell.
var ErrOutcomeUnknown = errors.New("chatinc: outcome unknown: the API may have acted on the request")

// outcomeUnknownError marks the error of a sending call after which the API
// may have acted. It matches ErrOutcomeUnknown and unwraps to the error
// itself, so that errors.As and errors.Is see what they saw before.
type outcomeUnknownError struct {
	err    error
	advice string // how to find out; "" for RunCampaign's
}

func (e *outcomeUnknownError) Error() string {
	advice := e.advice
	if advice == "" {
		advice = "find out with AwaitRun before sending again"
	}
	return e.err.Error() + " (outcome unknown: the API may have acted on it; " + advice + ")"
}

func (e *outcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

func (e *outcomeUnknownError) Unwrap() error { return e.err }

// CheckError lists every problem a pre-flight check found: ValidateMessage,
// RenderMessage or CheckCampaign. Nothing was sent. Match it with
// errors.As.
type CheckError struct {
	Problems []Problem

	rejected bool // a problem is a rejected template: Is(ErrTemplateRejected)
}

// Is reports whether target is ErrTemplateRejected and one of the problems
// is the campaign's rejected template (CheckRun).
func (e *CheckError) Is(target error) bool { return target == ErrTemplateRejected && e.rejected }

// Problem is one mistake a pre-flight check found.
type Problem struct {
	// Field names the input at fault: "message", "audiences[1]", ...
	Field string
	// Offset is the byte offset in the message of a placeholder problem's
	// "{", else -1.
	Offset int
	// Text is the offending text, e.g. "{users.frist_name}" or an audience
	// ID.
	Text string
	// Reason says what is wrong.
	Reason string
	// Suggestion is what was probably meant, e.g. "{users.first_name}", or
	// "".
	Suggestion string
}

// String describes the problem on one line, e.g.
// `message: {users.frist_name} at byte 6: variable group "users" has no
// variable "frist_name" (did you mean {users.first_name}?)`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Field)
	if p.Text != "" {
		b.WriteString(": " + wire.Truncate(p.Text, 80))
	}
	if p.Offset >= 0 {
		fmt.Fprintf(&b, " at byte %d", p.Offset)
	}
	b.WriteString(": " + p.Reason)
	if p.Suggestion != "" {
		b.WriteString(" (did you mean " + p.Suggestion + "?)")
	}
	return b.String()
}

// Error implements error: the number of problems and each of them, the
// first ten in full.
func (e *CheckError) Error() string {
	const shown = 10
	var b strings.Builder
	b.WriteString("chatinc: ")
	switch n := len(e.Problems); n {
	case 0:
		return "chatinc: check failed"
	case 1:
		b.WriteString(e.Problems[0].String())
		return b.String()
	default:
		fmt.Fprintf(&b, "%d problems: ", n)
		for i, p := range e.Problems[:min(n, shown)] {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.String())
		}
		if n > shown {
			fmt.Fprintf(&b, "; and %d more", n-shown)
		}
	}
	return b.String()
}
