package chatinctest

import (
	"errors"
	"fmt"
	"net/http"
)

// The simulator's errors. The rules and the store speak of the request and
// the state, never of HTTP: an *invalidError (the request breaks a rule of
// the API, or asks for what the state cannot do) or a *notFoundError (it
// names an audience or campaign that does not exist). Only the handler's
// own steps (authorization, routing, body limits, rate limit, faults) make
// an *httpError, with its status. statusOf, used by call.fail alone, turns
// each into its answer.

// invalidError is a request the API refuses (400); its message names the
// field or CSV line at fault.
type invalidError struct{ message string }

func (e *invalidError) Error() string { return e.message }

// invalid is an *invalidError with a formatted message.
func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

// notFoundError is an audience or campaign that does not exist (404).
type notFoundError struct{ kind, id string }

func (e *notFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.kind, e.id) }

// httpError is an answer of the handler's own, with its status.
type httpError struct {
	status     int
	message    string
	retryAfter string // the Retry-After header of the answer, if any
}

func (e *httpError) Error() string { return e.message }

// httpErrorf is an *httpError with a formatted message.
func httpErrorf(status int, format string, args ...any) error {
	return &httpError{status: status, message: fmt.Sprintf(format, args...)}
}

// statusOf returns the HTTP status that answers err, and its message.
func statusOf(err error) (int, string) {
	var inv *invalidError
	var nf *notFoundError
	var he *httpError
	switch {
	case errors.As(err, &inv):
		return http.StatusBadRequest, inv.message
	case errors.As(err, &nf):
		return http.StatusNotFound, nf.Error()
	case errors.As(err, &he):
		return he.status, he.message
	default:
		return http.StatusInternalServerError, err.Error() // not expected: every error is one of the above
	}
}
