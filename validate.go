package chatinc

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkName checks an ID, a name or a field name, which the API matches
// exactly: it is required, not blank, valid UTF-8 (json.Marshal would turn
// each invalid byte into U+FFFD, so that "vip\xff" and "vip\xfe" would both
// go out as "vip\ufffd" and name the same audience), and free of control
// characters (line breaks, NUL, DEL).
func checkName(field, s string) error {
	switch {
	case s == "":
		return invalid(field, "required")
	case strings.TrimSpace(s) == "":
		return invalid(field, "%q is blank", s)
	}
	if err := checkText(field, s); err != nil {
		return err
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return invalid(field, "holds a control character (%U) at byte %d", r, i)
	}
	return nil
}

// checkOptionalName is checkName for a name that may be left empty.
func checkOptionalName(field, s string) error {
	if s == "" {
		return nil
	}
	return checkName(field, s)
}

// checkText checks free text (a message, a description, a value), which
// may hold line breaks: it must be valid UTF-8, or json.Marshal would
// silently replace each invalid byte with U+FFFD.
func checkText(field, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return invalid(field, "is not valid UTF-8 (byte %d is %#x)", i, s[i])
}

// checkIdentity checks the ID, name and description of an audience or a
// variable group to create.
func checkIdentity(id, name, description string) error {
	if err := checkName("id", id); err != nil {
		return err
	}
	if err := checkName("name", name); err != nil {
		return err
	}
	return checkText("description", description)
}

// checkNames checks a list of IDs, e.g. audiences, naming each as
// field[i].
func checkNames(field string, ids []string) error {
	for i, id := range ids {
		if err := checkName(fmt.Sprintf("%s[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// checkFields checks the text fields of an upload with checkName, in the
// order given.
func checkFields(fields ...formField) error {
	for _, f := range fields {
		if err := checkName(f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// checkPhone checks the phone number n, named field in the error, with
// NormalizeNumber's rule. What is sent stays as the caller wrote it.
func checkPhone(field, n string) error {
	if _, reason := checkNumber(n, false); reason != "" {
		return invalid(field, "%s", reason)
	}
	return nil
}

// checkContacts checks each contact's number, naming it contacts[i].number.
// The name is made only for the error: a call may carry 100,000 contacts.
func checkContacts(contacts []Contact) error {
	for i, ct := range contacts {
		if _, reason := checkNumber(ct.Number, false); reason != "" {
			return invalid(fmt.Sprintf("contacts[%d].number", i), "%s", reason)
		}
	}
	return nil
}

// checkHTTPURL checks that s is an absolute http(s) URL.
func checkHTTPURL(field, s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field, "%q is not an absolute http(s) URL", s)
	}
	return nil
}

// checkTimeToRun refuses a schedule more than maxTimeToRunSlip in the
// past: the API would send at once, which a caller who scheduled a send
// (often in the wrong time zone) did not mean.
func checkTimeToRun(t time.Time) error {
	if !t.IsZero() && time.Since(t) > maxTimeToRunSlip {
		return invalid("timeToRun", "%s is %s in the past; the zero time sends at once",
			t.Format(time.RFC3339), time.Since(t).Round(time.Second))
	}
	return nil
}
